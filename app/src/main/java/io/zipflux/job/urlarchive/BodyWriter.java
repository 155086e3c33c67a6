package io.zipflux.job.urlarchive;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;
import reactor.netty.ByteBufFlux;

import org.springframework.stereotype.Component;

import io.zipflux.job.urlarchive.FetchErrors.EntryFailed;
import io.zipflux.job.urlarchive.FetchErrors.Transient;
import io.zipflux.job.urlarchive.UrlArchiveFiles.Sidecar;
import io.zipflux.system.StallClock;

/**
 * Writes a response body to an entry's file as it arrives: the network's chunks gathered into
 * batches of about 256 KB, each written on the bounded elastic pool, then a checkpoint, before more
 * is asked for (two batches read ahead), so memory per transfer stays under a megabyte and a paused
 * job stops reading its origin. Nothing past the entry's announced
 * length, {@code max-file-size} or the job's {@code max-total-size} is written.
 */
@Component
class BodyWriter {

    /** Bytes gathered from the network's chunks into one disk write (fewer hops to the disk pool). */
    private static final int BATCH = 256 * 1024;

    /** Batches received ahead of the disk per transfer: reading and writing overlap, memory stays a few batches. */
    private static final int READ_AHEAD = 2;

    /** A chunk of a body, or the error that ended it. */
    private record Piece(byte[] bytes, Throwable error) {

        Piece(byte[] bytes) {
            this(bytes, null);
        }

        Piece(Throwable error) {
            this(null, error);
        }
    }

    private final UrlArchiveFiles files;

    private final FetchProperties properties;

    private final Scheduler disk = Schedulers.boundedElastic();

    BodyWriter(UrlArchiveFiles files, FetchProperties properties) {
        this.files = files;
        this.properties = properties;
    }

    /** Writes the body from {@code offset} on, then marks the entry done. */
    Mono<Sidecar> write(FetchRun run, int entry, Sidecar sidecar, long offset, ByteBufFlux body) {
        long limit = properties.maxFileSize().toBytes();
        if (sidecar.length() != null && sidecar.length() > limit) {
            return Mono.error(new EntryFailed("announces " + sidecar.length() + " bytes, over the limit of " + limit
                    + " (zipflux.fetch.max-file-size)"));
        }
        run.length(entry, sidecar.length());
        AtomicLong position = new AtomicLong(offset);
        Path path = files.data(run.jobId(), entry);
        // The file is cut to the offset before the sidecar names its new validator: a run killed in between
        // leaves either the old validator (its bytes cut, so nothing is resumed) or the new one over its own bytes.
        return Mono.usingWhen(open(path, offset).doOnNext(channel -> run.bytes(entry, offset)),
                        channel -> files.save(run.jobId(), entry, sidecar)
                                .thenMany(batches(run, body))
                                .concatMap(batch -> batch(run, entry, channel, batch, position, sidecar.length()), READ_AHEAD)
                                .then(),
                        this::close)
                .then(Mono.defer(() -> complete(run, entry, sidecar, position.get())));
    }

    /**
     * The body in batches of about {@link #BATCH} bytes; a broken body still yields what arrived
     * before the break, its last batch ending with the error.
     */
    private Flux<List<Piece>> batches(FetchRun run, ByteBufFlux body) {
        return Flux.defer(() -> {
            AtomicLong gathered = new AtomicLong();
            return body.asByteArray()
                    .timeout(idle(run), chunk -> idle(run),
                            Flux.error(() -> new Transient("the origin sent nothing for " + properties.responseTimeout(), null)))
                    .map(Piece::new)
                    .onErrorResume(error -> Mono.just(new Piece(error)))
                    .bufferUntil(piece -> piece.error() != null || full(gathered, piece.bytes().length));
        });
    }

    /**
     * Fires once the origin has sent nothing for {@code response-timeout} while the job ran: time paused
     * does not count, so a paused transfer keeps its connection (the origin sees its send stall).
     */
    private Mono<Long> idle(FetchRun run) {
        return StallClock.idle(properties.responseTimeout(), () -> !run.paused());
    }

    private static boolean full(AtomicLong gathered, int more) {
        if (gathered.addAndGet(more) < BATCH) {
            return false;
        }
        gathered.set(0);
        return true;
    }

    /** One batch to disk, within the limits; then a checkpoint, before more is asked for. A batch ending with an error fails after its bytes are written. */
    private Mono<Void> batch(FetchRun run, int entry, FileChannel channel, List<Piece> batch, AtomicLong position,
            Long announced) {
        Throwable broken = batch.get(batch.size() - 1).error();
        List<ByteBuffer> buffers = batch.stream()
                .filter(piece -> piece.error() == null)
                .map(piece -> ByteBuffer.wrap(piece.bytes()))
                .toList();
        long length = buffers.stream().mapToLong(ByteBuffer::remaining).sum();
        long at = position.get();
        long limit = properties.maxFileSize().toBytes();
        if (at + length > limit) {
            return Mono.error(new EntryFailed("longer than the limit of " + limit + " bytes (zipflux.fetch.max-file-size); "
                    + "cut off there"));
        }
        if (announced != null && at + length > announced) {
            return Mono.error(new EntryFailed("sent more than the " + announced + " bytes it announced; cut off there"));
        }
        if (!run.fits(length)) {
            // This entry's bytes go: the others see the room they leave at once.
            run.bytes(entry, 0);
            return Mono.error(new EntryFailed("the archive's files together would exceed "
                    + properties.maxTotalSize().toBytes() + " bytes (zipflux.fetch.max-total-size); cut off there"));
        }
        Mono<Void> written = Mono.fromCallable(() -> writeAt(channel, buffers, at))
                .subscribeOn(disk)
                .doOnNext(bytes -> run.bytes(entry, position.addAndGet(bytes)))
                .then(Mono.defer(run::checkpoint));
        return broken == null ? written : written.then(Mono.error(broken));
    }

    /** Writes the buffers at {@code at} (the channel is this transfer's alone); answers the bytes written. */
    private static long writeAt(FileChannel channel, List<ByteBuffer> buffers, long at) {
        ByteBuffer[] array = buffers.toArray(ByteBuffer[]::new);
        long written = 0;
        try {
            channel.position(at);
            while (Arrays.stream(array).anyMatch(ByteBuffer::hasRemaining)) {
                written += channel.write(array);
            }
        }
        catch (ClosedChannelException cancelled) {
            // The transfer was stopped while this batch waited; nobody reads the answer.
            return 0;
        }
        catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
        return written;
    }

    /** The body ended: the entry is done, unless it ended before its announced length. */
    Mono<Sidecar> complete(FetchRun run, int entry, Sidecar sidecar, long bytes) {
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
