package io.zipflux.job.hash;

import java.io.IOException;
import java.nio.channels.AsynchronousFileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;
import org.springframework.util.unit.DataSize;
import org.springframework.web.ErrorResponseException;

import io.zipflux.system.DataDir;

/**
 * Uploaded files on disk, under {@code <data-dir>/uploads/}. An upload streams straight to its file
 * (bounded memory, whatever its size); one that breaks or passes {@code zipflux.upload.max-size}
 * leaves nothing behind.
 */
@Component
class UploadStore {

    private final Path folder;

    private final DataSize maxSize;

    UploadStore(DataDir dataDir, @Value("${zipflux.upload.max-size:10GB}") DataSize maxSize) {
        this.folder = dataDir.folder("uploads");
        this.maxSize = maxSize;
    }

    Path pathOf(UUID fileId) {
        return folder.resolve(fileId.toString());
    }

    /** Writes the content to the file of {@code fileId}; answers its size. */
    Mono<Long> write(UUID fileId, Flux<DataBuffer> content) {
        Path target = pathOf(fileId);
        AtomicLong size = new AtomicLong();
        Flux<DataBuffer> limited = content.doOnNext(chunk -> {
            if (size.addAndGet(chunk.readableByteCount()) > maxSize.toBytes()) {
                DataBufferUtils.release(chunk);
                throw new TooLarge(maxSize);
            }
        });
        return Mono.using(
                        () -> AsynchronousFileChannel.open(target, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
                        channel -> DataBufferUtils.write(limited, channel).map(DataBufferUtils::release).then(),
                        UploadStore::close)
                .then(Mono.fromSupplier(size::get))
                .onErrorResume(error -> delete(fileId).then(Mono.error(error)))
                .doOnCancel(() -> delete(fileId).subscribe());
    }

    Mono<Void> delete(UUID fileId) {
        return Mono.fromCallable(() -> Files.deleteIfExists(pathOf(fileId)))
                .subscribeOn(Schedulers.boundedElastic())
                .then();
    }

    private static void close(AsynchronousFileChannel channel) {
        try {
            channel.close();
        }
        catch (IOException ignored) {
            // nothing more to release
        }
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
