package io.zipflux.archive;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousFileChannel;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.CRC32;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

import org.springframework.beans.factory.DisposableBean;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferFactory;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.stereotype.Component;

/**
 * All file access of the archive endpoint, on one small fixed pool shared by every download:
 * reads are issued only on demand, so a download waiting on a slow client holds no thread.
 */
@Component
class FileIo implements DisposableBean {

    private final ExecutorService executor;

    private final Scheduler scheduler;

    private final int chunkBytes;

    FileIo(ArchiveProperties properties) {
        AtomicInteger count = new AtomicInteger();
        this.executor = Executors.newFixedThreadPool(properties.fileIoThreads(), runnable -> {
            Thread thread = new Thread(runnable, "zipflux-file-io-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
        this.scheduler = Schedulers.fromExecutorService(executor, "zipflux-file-io");
        this.chunkBytes = properties.chunkBytes();
    }

    Scheduler scheduler() {
        return scheduler;
    }

    int chunkBytes() {
        return chunkBytes;
    }

    /**
     * Exactly {@code count} bytes of {@code file} from {@code position}, in chunks, read as they are
     * requested; fails if the file is shorter than that (it changed since it was listed).
     */
    Flux<DataBuffer> read(Path file, long position, long count, DataBufferFactory buffers) {
        if (count == 0) {
            return Flux.empty();
        }
        AtomicLong seen = new AtomicLong();
        Flux<DataBuffer> chunks = DataBufferUtils.readAsynchronousFileChannel(
                () -> AsynchronousFileChannel.open(file, Set.of(StandardOpenOption.READ), executor),
                position, buffers, (int) Math.min(chunkBytes, count));
        return DataBufferUtils.takeUntilByteCount(chunks, count)
                .doOnNext(chunk -> seen.addAndGet(chunk.readableByteCount()))
                .concatWith(Mono.defer(() -> seen.get() == count
                        ? Mono.empty()
                        : Mono.error(new IOException(file + " changed while it was being sent"))));
    }

    /** CRC-32 of the first {@code size} bytes of a file, computed on the file pool. */
    Mono<Long> crc(Path file, long size) {
        return Mono.fromCallable(() -> crcOf(file, size))
                .subscribeOn(scheduler);
    }

    private long crcOf(Path file, long size) throws IOException {
        CRC32 crc = new CRC32();
        ByteBuffer buffer = ByteBuffer.allocateDirect(256 * 1024);
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            long remaining = size;
            while (remaining > 0) {
                buffer.clear().limit((int) Math.min(buffer.capacity(), remaining));
                int read = channel.read(buffer);
                if (read < 0) {
                    throw new IOException(file + " changed while it was being sent");
                }
                remaining -= read;
                crc.update(buffer.flip());
            }
        }
        return crc.getValue();
    }

    static void updateCrc(CRC32 crc, DataBuffer chunk) {
        try (DataBuffer.ByteBufferIterator buffers = chunk.readableByteBuffers()) {
            while (buffers.hasNext()) {
                crc.update(buffers.next());
            }
        }
    }

    @Override
    public void destroy() {
        executor.shutdownNow();
    }
}
