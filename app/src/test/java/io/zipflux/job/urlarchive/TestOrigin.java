package io.zipflux.job.urlarchive;

import java.io.IOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;
import reactor.netty.http.server.HttpServerRequest;
import reactor.netty.http.server.HttpServerResponse;

/**
 * An HTTP origin on 127.0.0.1 (random port) for url-archive tests: serves generated files at
 * {@code /files/<name>} with Range, If-Range and ETag, can be told per file to misbehave (reset the
 * connection after some bytes, answer 503 (or 429) with Retry-After, ignore Range, change its ETag, redirect,
 * stall, send more than its Content-Length, send no length), and counts the bytes it served.
 */
final class TestOrigin implements AutoCloseable {

    private static final int CHUNK = 16 * 1024;

    private final Map<String, File> files = new ConcurrentHashMap<>();

    private final DisposableServer server;

    private TestOrigin() {
        this.server = HttpServer.create()
                .host("127.0.0.1")
                .port(0)
                .handle(this::handle)
                .bindNow(Duration.ofSeconds(10));
    }

    static TestOrigin start() {
        return new TestOrigin();
    }

    String url(String name) {
        return "http://127.0.0.1:" + server.port() + "/files/" + name;
    }

    /** A file of {@code size} pseudo-random bytes (seeded by its name), served as-is until told otherwise. */
    File file(String name, int size) {
        byte[] bytes = new byte[size];
        new Random(name.hashCode()).nextBytes(bytes);
        File file = new File(bytes);
        files.put(name, file);
        return file;
    }

    /** How one file is served, and what it has served so far. */
    static final class File {

        final byte[] bytes;

        final AtomicLong served = new AtomicLong();

        final AtomicInteger requests = new AtomicInteger();

        final List<Long> requestTimes = new CopyOnWriteArrayList<>();

        final List<String> ranges = new CopyOnWriteArrayList<>();

        volatile long resetAt = -1;

        final AtomicInteger resets = new AtomicInteger();

        final AtomicInteger unavailable = new AtomicInteger();

        volatile String retryAfter = "1";

        volatile int busyStatus = 503;

        volatile boolean ignoreRange;

        volatile boolean changingEtag;

        volatile String redirectTo;

        volatile int status = 200;

        volatile Duration chunkDelay = Duration.ZERO;

        volatile long stallAt = -1;

        volatile Duration stall = Duration.ZERO;

        volatile int extraBytes;

        volatile boolean chunked;

        volatile String disposition;

        private File(byte[] bytes) {
            this.bytes = bytes;
        }

        /** Closes the connection once, after the byte at {@code offset} of the file has been sent. */
        File resetOnceAt(long offset) {
            resetAt = offset;
            resets.set(1);
            return this;
        }

        String sha256() {
            return TestOrigin.sha256(bytes);
        }

        private String etag() {
            return changingEtag ? "\"v" + requests.get() + "\"" : "\"v0\"";
        }
    }

    private Publisher<Void> handle(HttpServerRequest request, HttpServerResponse response) {
        String path = request.uri().replaceFirst("\\?.*", "");
        File file = path.startsWith("/files/") ? files.get(path.substring("/files/".length())) : null;
        if (file == null) {
            return response.status(HttpResponseStatus.NOT_FOUND).send();
        }
        file.requests.incrementAndGet();
        file.requestTimes.add(System.nanoTime());
        file.ranges.add(String.valueOf(request.requestHeaders().get(HttpHeaderNames.RANGE)));
        if (file.redirectTo != null) {
            return response.status(HttpResponseStatus.FOUND).header(HttpHeaderNames.LOCATION, file.redirectTo).send();
        }
        if (file.status != 200) {
            return response.status(file.status).send();
        }
        if (file.unavailable.getAndUpdate(left -> Math.max(0, left - 1)) > 0) {
            return response.status(file.busyStatus)
                    .header(HttpHeaderNames.RETRY_AFTER, file.retryAfter)
                    .send();
        }
        String etag = file.etag();
        long from = rangeStart(request, file, etag);
        long length = file.bytes.length - from;
        response.header(HttpHeaderNames.ETAG, etag)
                .header(HttpHeaderNames.ACCEPT_RANGES, "bytes");
        if (file.disposition != null) {
            response.header(HttpHeaderNames.CONTENT_DISPOSITION, file.disposition);
        }
        if (from > 0) {
            response.status(HttpResponseStatus.PARTIAL_CONTENT)
                    .header(HttpHeaderNames.CONTENT_RANGE, "bytes " + from + "-" + (file.bytes.length - 1) + "/" + file.bytes.length);
        }
        if (file.chunked) {
            response.chunkedTransfer(true);
        }
        else {
            response.header(HttpHeaderNames.CONTENT_LENGTH, String.valueOf(length));
        }
        return response.send(body(file, from), buffer -> true);
    }

    /** Where to start: past the bytes the client has, when it asks for a range this origin honours. */
    private static long rangeStart(HttpServerRequest request, File file, String etag) {
        String range = request.requestHeaders().get(HttpHeaderNames.RANGE);
        String ifRange = request.requestHeaders().get(HttpHeaderNames.IF_RANGE);
        if (range == null || file.ignoreRange || (ifRange != null && !ifRange.equals(etag)) || !range.startsWith("bytes=")) {
            return 0;
        }
        long from = Long.parseLong(range.substring(6, range.indexOf('-')));
        return from < file.bytes.length ? from : 0;
    }

    private static Flux<ByteBuf> body(File file, long from) {
        long end = file.bytes.length;
        long cut = file.resetAt > from && file.resets.get() > 0 ? file.resetAt : -1;
        Flux<ByteBuf> chunks = Flux.<ByteBuf, Long>generate(() -> from, (offset, sink) -> {
            long stop = cut > 0 ? Math.min(end, cut) : end;
            if (offset >= stop) {
                sink.complete();
                return offset;
            }
            int length = (int) Math.min(CHUNK, stop - offset);
            sink.next(Unpooled.wrappedBuffer(file.bytes, (int) (long) offset, length));
            return offset + length;
        });
        if (!file.chunkDelay.isZero()) {
            chunks = chunks.delayElements(file.chunkDelay);
        }
        if (file.stallAt > from) {
            long stallAt = file.stallAt;
            Duration stall = file.stall;
            file.stallAt = -1;
            AtomicLong position = new AtomicLong(from);
            chunks = chunks.concatMap(chunk -> position.getAndAdd(chunk.readableBytes()) < stallAt
                    && position.get() >= stallAt ? Mono.just(chunk).delayElement(stall) : Mono.just(chunk));
        }
        chunks = chunks.doOnNext(chunk -> file.served.addAndGet(chunk.readableBytes()));
        if (cut > 0) {
            file.resets.decrementAndGet();
            return chunks.concatWith(Mono.error(new IOException("connection reset by the test origin")));
        }
        if (file.extraBytes > 0) {
            return chunks.concatWith(Mono.fromSupplier(() -> Unpooled.wrappedBuffer(new byte[file.extraBytes])));
        }
        return chunks;
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        }
        catch (NoSuchAlgorithmException ex) {
            throw new IllegalStateException(ex);
        }
    }

    @Override
    public void close() {
        server.disposeNow(Duration.ofSeconds(5));
    }
}
