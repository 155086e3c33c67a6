package io.zipflux.job.urlarchive;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.atomic.AtomicLong;

import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;
import reactor.netty.ByteBufFlux;

import org.springframework.stereotype.Component;

import io.zipflux.job.urlarchive.FetchErrors.EntryFailed;
import io.zipflux.job.urlarchive.FetchErrors.Transient;
import io.zipflux.job.urlarchive.UrlArchiveFiles.Sidecar;

/**
 * Writes a response body to an entry's file as it arrives: each chunk on the bounded elastic pool,
 * then a checkpoint, before more is asked for (a few chunks read ahead), so memory per transfer
 * stays a few chunks and a paused job stops reading its origin. Nothing past the entry's announced
 * length, {@code max-file-size} or the job's {@code max-total-size} is written.
 */
@Component
class BodyWriter {

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
