package io.zipflux.job.hash;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.UUID;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.codec.multipart.FilePartEvent;
import org.springframework.http.codec.multipart.PartEvent;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;
import org.springframework.util.unit.DataSize;
import org.springframework.web.ErrorResponseException;

import io.zipflux.job.Job;
import io.zipflux.job.JobFiles;
import io.zipflux.system.DataDir;
import io.zipflux.system.DiskFullException;
import io.zipflux.system.UploadProperties;

/**
 * Uploaded files on disk, under {@code <data-dir>/uploads/}. An upload streams straight to its file
 * (bounded memory, whatever its size); one that breaks, passes {@code zipflux.upload.max-size} or finds
 * the data disk full (507) leaves nothing behind.
 */
@Component
class UploadStore implements JobFiles {

    /** Body events read ahead of the disk; each holds one network buffer. */
    private static final int QUEUED_EVENTS = 32;

    private final Path folder;

    private final DataSize maxSize;

    UploadStore(DataDir dataDir, UploadProperties properties) {
        this.folder = dataDir.folder("uploads");
        this.maxSize = properties.maxSize();
    }

    Path pathOf(UUID fileId) {
        return folder.resolve(fileId.toString());
    }

    /** What was stored: the client's file name and the size. */
    record Stored(String name, long size) {
    }

    /**
     * Writes the content of the first file part named {@code field} to the file of {@code fileId},
     * in arrival order on one bounded-elastic worker with a short queue (so memory stays bounded and
     * a slow disk slows the client down); every other part is released.
     * Empty when there is no such part; on any failure (too large, client gone) the file is removed.
     */
    Mono<Stored> write(UUID fileId, Flux<PartEvent> events, String field) {
        return Mono.usingWhen(
                Mono.fromSupplier(() -> new Target(pathOf(fileId))),
                target -> events.publishOn(Schedulers.boundedElastic(), QUEUED_EVENTS)
                        .doOnNext(event -> target.accept(event, field))
                        .doOnDiscard(PartEvent.class, event -> DataBufferUtils.release(event.content()))
                        .then(Mono.fromSupplier(target::stored).flatMap(Mono::justOrEmpty)),
                target -> Mono.fromRunnable(target::close),
                (target, error) -> Mono.fromRunnable(target::close).then(delete(fileId)),
                target -> Mono.fromRunnable(target::close).then(delete(fileId)));
    }

    /** The file being written, opened at the first event of the wanted part. */
    private final class Target {

        private final Path path;

        private FileChannel channel;

        private String name;

        private long size;

        private boolean done;

        Target(Path path) {
            this.path = path;
        }

        void accept(PartEvent event, String field) {
            try {
                if (!done && event instanceof FilePartEvent file && field.equals(file.name())) {
                    write(event);
                    done = event.isLast();
                }
            }
            catch (IOException ex) {
                if (DiskFullException.isDiskFull(ex)) {
                    throw new DiskFullException("upload '" + name + "'", ex);
                }
                throw new UncheckedIOException(ex);
            }
            finally {
                DataBufferUtils.release(event.content());
            }
        }

        private void write(PartEvent event) throws IOException {
            if (channel == null) {
                name = ((FilePartEvent) event).filename();
                channel = FileChannel.open(path, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
            }
            DataBuffer content = event.content();
            size += content.readableByteCount();
            if (size > maxSize.toBytes()) {
                throw new TooLarge(maxSize);
            }
            try (DataBuffer.ByteBufferIterator buffers = content.readableByteBuffers()) {
                while (buffers.hasNext()) {
                    ByteBuffer buffer = buffers.next();
                    while (buffer.hasRemaining()) {
                        channel.write(buffer);
                    }
                }
            }
        }

        java.util.Optional<Stored> stored() {
            return channel == null ? java.util.Optional.empty() : java.util.Optional.of(new Stored(name, size));
        }

        void close() {
            if (channel != null) {
                try {
                    channel.close();
                }
                catch (IOException ignored) {
                    // the file is removed or complete; nothing more to release
                }
            }
        }
    }

    @Override
    public String type() {
        return HashWorker.TYPE;
    }

    /** A hash job's only file is its upload (its row in {@code files} goes with the job row). */
    @Override
    public Mono<Void> deleteFiles(Job job) {
        return delete(HashWorker.fileId(job));
    }

    Mono<Void> delete(UUID fileId) {
        return Mono.fromCallable(() -> Files.deleteIfExists(pathOf(fileId)))
                .subscribeOn(Schedulers.boundedElastic())
                .then();
    }

    /** 413: the upload is larger than allowed. */
    static final class TooLarge extends ErrorResponseException {
        TooLarge(DataSize maxSize) {
            super(HttpStatus.PAYLOAD_TOO_LARGE);
            getBody().setTitle("File too large");
            getBody().setDetail("Uploads may be at most " + maxSize.toMegabytes() + " MB.");
        }
    }
}
