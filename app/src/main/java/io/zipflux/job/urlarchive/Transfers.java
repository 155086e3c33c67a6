package io.zipflux.job.urlarchive;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;
import reactor.netty.ByteBufFlux;
import reactor.netty.http.client.HttpClient;
import reactor.netty.http.client.HttpClientResponse;

import org.springframework.stereotype.Component;

import io.zipflux.job.urlarchive.FetchErrors.EntryFailed;
import io.zipflux.job.urlarchive.FetchErrors.Transient;
import io.zipflux.job.urlarchive.UrlArchiveFiles.OnDisk;
import io.zipflux.job.urlarchive.UrlArchiveFiles.Sidecar;
import io.zipflux.outbound.OutboundHttp;
import io.zipflux.outbound.OutboundRefusedException;

/**
 * Fetches one entry to its file: streams the body to disk as it arrives (each chunk written on the
 * bounded elastic pool, then a checkpoint, before the next is read, so a paused job stops reading
 * the origin), resumes a broken body with {@code Range} + {@code If-Range} from the bytes on disk,
 * starts over when the origin ignores the range or its validator changed, and retries what may
 * succeed later with exponential backoff and jitter, honouring {@code Retry-After}.
 */
@Component
class Transfers {

    /** Chunks received ahead of the disk per transfer: reading and writing overlap, memory stays a few chunks. */
    private static final int READ_AHEAD = 4;

    /** A chunk of a body, or the error that ended it. */
    private record Piece(byte[] bytes, Throwable error) {

        Piece(byte[] bytes) {
            this(bytes, null);
        }

        Piece(Throwable error) {
            this(null, error);
        }
    }

    private final HttpClient client;

    private final UrlArchiveFiles files;

    private final FetchProperties properties;

    private final Scheduler disk = Schedulers.boundedElastic();

    Transfers(OutboundHttp outbound, UrlArchiveFiles files, FetchProperties properties) {
        this.client = outbound.client().responseTimeout(properties.responseTimeout());
        this.files = files;
        this.properties = properties;
    }

    /** The entry on disk, with what its origin told about it; fails with {@link EntryFailed} when it cannot be had. */
    Mono<Sidecar> fetch(FetchRun run, int entry, String url) {
        return attempts(run, entry, url, 0, 0)
                .onErrorMap(error -> OutboundRefusedException.in(error) != null, error -> new EntryFailed(FetchErrors.describe(error)));
    }

    /**
     * An attempt, and the next ones: after a pause while attempts fail in a row without adding to the
     * most bytes the entry has had on disk (up to {@code retries}); at once, the count starting over,
     * when a break came after new bytes (an origin that resets without honouring ranges gains nothing
     * and runs out of retries).
     */
    private Mono<Sidecar> attempts(FetchRun run, int entry, String url, int failures, long most) {
        return Mono.defer(() -> attempt(run, entry, url))
                .onErrorResume(FetchErrors::isTransient, error -> {
                    long now = run.bytesOf(entry);
                    if (now > most && !(error instanceof Transient)) {
                        return attempts(run, entry, url, 0, now);
                    }
                    int inARow = failures + 1;
                    if (inARow > properties.retries()) {
                        return Mono.error(new EntryFailed(FetchErrors.describe(error) + " (" + inARow + " attempts in a row)"));
                    }
                    Duration retryAfter = error instanceof Transient answer ? answer.retryAfter() : null;
                    return Mono.delay(properties.backoff().pause(inARow, retryAfter))
                            .then(Mono.defer(() -> attempts(run, entry, url, inARow, Math.max(most, now))));
                });
    }

    private Mono<Sidecar> attempt(FetchRun run, int entry, String url) {
        return files.read(run.jobId(), entry)
                .flatMap(onDisk -> {
                    run.bytes(entry, onDisk.bytes());
                    run.length(entry, onDisk.sidecar().length());
                    if (onDisk.sidecar().done()) {
                        return Mono.just(onDisk.sidecar());
                    }
                    return run.checkpoint()
                            .then(request(run, entry, url, onDisk));
                });
    }

    private Mono<Sidecar> request(FetchRun run, int entry, String url, OnDisk onDisk) {
        boolean resume = onDisk.bytes() > 0 && onDisk.sidecar().validator() != null;
        return client
                .headers(headers -> {
                    if (resume) {
                        headers.set(HttpHeaderNames.RANGE, "bytes=" + onDisk.bytes() + "-");
                        headers.set(HttpHeaderNames.IF_RANGE, onDisk.sidecar().validator());
                    }
                })
                .get()
                .uri(url)
                .response((response, body) -> answer(run, entry, resume ? onDisk : null, response, body))
                .next();
    }

    /** What the origin answered; {@code resumed} is what the request asked to continue (null: from zero). */
    private Mono<Sidecar> answer(FetchRun run, int entry, OnDisk resumed, HttpClientResponse response, ByteBufFlux body) {
        int status = response.status().code();
        HttpHeaders headers = response.responseHeaders();
        if (status == 206 && resumed != null) {
            return continued(run, entry, resumed, headers, body);
        }
        if (status == 200) {
            Sidecar fresh = new Sidecar(OriginHeaders.validator(headers), OriginHeaders.length(headers), OriginHeaders.fileName(headers), false);
            return write(run, entry, fresh, 0, body);
        }
        if (status == 416 && resumed != null && Long.valueOf(resumed.bytes()).equals(resumed.sidecar().length())) {
            return complete(run, entry, resumed.sidecar(), resumed.bytes());
        }
        if (status == 206 || status == 416) {
            return startOver(run, entry, "answered " + status + " to a range it was not asked for");
        }
        if (status == 408 || status == 429 || status >= 500) {
            return Mono.error(new Transient("HTTP " + status, OriginHeaders.retryAfter(headers)));
        }
        return Mono.error(new EntryFailed("HTTP " + status + " " + response.status().reasonPhrase()));
    }

    /** A 206: the rest of the same representation, unless the origin sent another one. */
    private Mono<Sidecar> continued(FetchRun run, int entry, OnDisk resumed, HttpHeaders headers, ByteBufFlux body) {
        long[] range = OriginHeaders.contentRange(headers.get(HttpHeaderNames.CONTENT_RANGE));
        String validator = OriginHeaders.validator(headers);
        boolean same = range != null && range[0] == resumed.bytes()
                && (validator == null || validator.equals(resumed.sidecar().validator()));
        if (!same) {
            return startOver(run, entry, "sent a different range or representation");
        }
        Sidecar sidecar = resumed.sidecar();
        Long length = range[1] >= 0 ? Long.valueOf(range[1]) : sidecar.length();
        return write(run, entry, new Sidecar(sidecar.validator(), length, sidecar.fileName(), false), resumed.bytes(), body);
    }

    private Mono<Sidecar> startOver(FetchRun run, int entry, String why) {
        return files.forget(run.jobId(), entry)
                .doOnSuccess(done -> run.bytes(entry, 0))
                .then(Mono.error(new Transient("the origin " + why + "; fetching it again from the start", null)));
    }

    /** Writes the body from {@code offset} on, then marks the entry done. */
    private Mono<Sidecar> write(FetchRun run, int entry, Sidecar sidecar, long offset, ByteBufFlux body) {
        long limit = properties.maxFileSize().toBytes();
        if (sidecar.length() != null && sidecar.length() > limit) {
            return Mono.error(new EntryFailed("announces " + sidecar.length() + " bytes, over the limit of " + limit
                    + " (zipflux.fetch.max-file-size)"));
        }
        run.length(entry, sidecar.length());
        AtomicLong position = new AtomicLong(offset);
        Path path = files.data(run.jobId(), entry);
        return files.save(run.jobId(), entry, sidecar)
                .then(Mono.usingWhen(open(path, offset).doOnNext(channel -> run.bytes(entry, offset)),
                        channel -> body.asByteArray()
                                .map(Piece::new)
                                // A broken body still leaves what arrived before the break: written first, then the error.
                                .onErrorResume(error -> Mono.just(new Piece(error)))
                                .concatMap(piece -> piece.error() != null ? Mono.error(piece.error())
                                        : chunk(run, entry, channel, piece.bytes(), position, sidecar.length()), READ_AHEAD)
                                .then(),
                        this::close))
                .then(Mono.defer(() -> complete(run, entry, sidecar, position.get())));
    }

    /** One chunk to disk, within the limits; then a checkpoint, before the next chunk is asked for. */
    private Mono<Void> chunk(FetchRun run, int entry, FileChannel channel, byte[] chunk, AtomicLong position,
            Long announced) {
        long at = position.get();
        long limit = properties.maxFileSize().toBytes();
        if (at + chunk.length > limit) {
            return Mono.error(new EntryFailed("longer than the limit of " + limit + " bytes (zipflux.fetch.max-file-size); "
                    + "cut off there"));
        }
        if (announced != null && at + chunk.length > announced) {
            return Mono.error(new EntryFailed("sent more than the " + announced + " bytes it announced; cut off there"));
        }
        if (!run.fits(chunk.length)) {
            // This entry's bytes go: the others see the room they leave at once.
            run.bytes(entry, 0);
            return Mono.error(new EntryFailed("the archive's files together would exceed "
                    + properties.maxTotalSize().toBytes() + " bytes (zipflux.fetch.max-total-size); cut off there"));
        }
        return Mono.fromCallable(() -> writeAt(channel, chunk, at))
                .subscribeOn(disk)
                .doOnNext(written -> run.bytes(entry, position.addAndGet(written)))
                .then(Mono.defer(run::checkpoint));
    }

    private static int writeAt(FileChannel channel, byte[] chunk, long at) {
        ByteBuffer bytes = ByteBuffer.wrap(chunk);
        try {
            while (bytes.hasRemaining()) {
                channel.write(bytes, at + bytes.position());
            }
        }
        catch (ClosedChannelException cancelled) {
            // The transfer was stopped while this chunk waited; nobody reads the answer.
            return 0;
        }
        catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
        return chunk.length;
    }

    /** The body ended: the entry is done, unless it ended before its announced length. */
    private Mono<Sidecar> complete(FetchRun run, int entry, Sidecar sidecar, long bytes) {
        if (sidecar.length() != null && bytes < sidecar.length()) {
            return Mono.error(new Transient("the body ended after " + bytes + " of " + sidecar.length() + " bytes", null));
        }
        Sidecar done = new Sidecar(sidecar.validator(), bytes, sidecar.fileName(), true);
        run.length(entry, bytes);
        return files.save(run.jobId(), entry, done)
                .thenReturn(done);
    }

    private Mono<FileChannel> open(Path path, long offset) {
        return Mono.fromCallable(() -> {
            // From zero, a file of an earlier representation goes; resumed, it is already this long.
            return FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.WRITE).truncate(offset);
        }).onErrorMap(IOException.class, UncheckedIOException::new).subscribeOn(disk);
    }

    private Mono<Void> close(FileChannel channel) {
        return Mono.<Void>fromCallable(() -> {
            channel.close();
            return null;
        }).onErrorMap(IOException.class, UncheckedIOException::new).subscribeOn(disk);
    }
}
