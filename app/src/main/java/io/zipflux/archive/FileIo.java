package io.zipflux.archive;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

import reactor.core.publisher.Flux;
import reactor.core.publisher.SynchronousSink;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

import org.springframework.beans.factory.DisposableBean;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferFactory;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.stereotype.Component;

/**
 * All file access of the archive endpoint, on one small fixed pool shared by every download:
 * a chunk is read only when the network asks for it, so a download waiting on a slow client holds
 * an open file and no thread.
 */
@Component
class FileIo implements DisposableBean {

    private final ExecutorService executor;

    private final Scheduler scheduler;

    private final int chunkBytes;

    private final int largeChunkBytes;

    private final long largeChunkBudget;

    private final int smallChunkBytes;

    private final long smallChunkBudget;

    private final NetworkMemory memory;

    FileIo(ArchiveProperties properties, NetworkMemory memory) {
        AtomicInteger count = new AtomicInteger();
        this.executor = Executors.newFixedThreadPool(properties.fileIoThreads(), runnable -> {
            Thread thread = new Thread(runnable, "zipflux-file-io-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
        this.scheduler = Schedulers.fromExecutorService(executor, "zipflux-file-io");
        this.chunkBytes = properties.chunkBytes();
        // A response delay throttles per chunk: then chunks keep their configured size.
        boolean throttled = !properties.effectiveDelay().isZero();
        this.largeChunkBytes = throttled ? chunkBytes : properties.largeChunkBytes();
        this.largeChunkBudget = properties.largeChunkBudget().toBytes();
        this.smallChunkBytes = throttled ? chunkBytes : properties.smallChunkBytes();
        this.smallChunkBudget = properties.smallChunkBudgetBytes();
        this.memory = memory;
    }

    Scheduler scheduler() {
        return scheduler;
    }

    int chunkBytes() {
        return chunkBytes;
    }

    /**
     * The size of the next read, from the direct memory in use (where Netty's buffers, which Reactor
     * Netty writes from, live): small past the small-chunk budget, else large under the large-chunk
     * budget, else the configured chunk size. One stream alone gets large reads and nginx-like speed;
     * a crowd of slow ones fills the budgets and falls back to smaller reads, each stream holding at
     * most write-prefetch chunks, so that thousands fit in the direct memory limit.
     */
    int chunkNow() {
        long used = memory.used();
        if (used >= smallChunkBudget) {
            return smallChunkBytes;
        }
        return used < largeChunkBudget ? largeChunkBytes : chunkBytes;
    }

    /**
     * Exactly {@code count} bytes of {@code file} from {@code position}, in chunks, each read on the
     * file pool only when it is requested; fails if the file is shorter than that (it changed since it
     * was listed), and fails (rather than hangs) if a buffer cannot be allocated.
     */
    Flux<DataBuffer> read(Path file, long position, long count, DataBufferFactory buffers) {
        if (count == 0) {
            return Flux.empty();
        }
        return Flux.<DataBuffer, Cursor>generate(
                        () -> new Cursor(file, position, position + count),
                        (cursor, sink) -> {
                            cursor.next(sink, buffers, chunkNow());
                            return cursor;
                        },
                        Cursor::close)
                .subscribeOn(scheduler);
    }

    /** An open file and the next position to read, for {@link #read}. */
    private static final class Cursor {

        private final Path file;

        private final FileChannel channel;

        private final long end;

        private long position;

        Cursor(Path file, long position, long end) throws IOException {
            this.file = file;
            this.channel = FileChannel.open(file, StandardOpenOption.READ);
            this.position = position;
            this.end = end;
        }

        void next(SynchronousSink<DataBuffer> sink, DataBufferFactory buffers, int chunkBytes) {
            if (position >= end) {
                sink.complete();
                return;
            }
            int length = (int) Math.min(chunkBytes, end - position);
            DataBuffer chunk = null;
            try {
                chunk = buffers.allocateBuffer(length);
                try (DataBuffer.ByteBufferIterator writable = chunk.writableByteBuffers()) {
                    ByteBuffer target = writable.next();
                    target.limit(target.position() + length);
                    while (target.hasRemaining()) {
                        int read = channel.read(target, position + length - target.remaining());
                        if (read < 0) {
                            throw new IOException(file + " changed while it was being sent");
                        }
                    }
                }
                chunk.writePosition(chunk.writePosition() + length);
                position += length;
                sink.next(chunk);
            }
            catch (IOException | RuntimeException | Error ex) {
                if (chunk != null) {
                    DataBufferUtils.release(chunk);
                }
                sink.error(ex);
            }
        }

        void close() {
            closeQuietly(channel);
        }
    }

    /** Closes a file opened for reading; a failure to close loses nothing. */
    static void closeQuietly(FileChannel file) {
        try {
            file.close();
        }
        catch (IOException ignored) {
            // read-only: nothing is lost
        }
    }

    @Override
    public void destroy() {
        executor.shutdownNow();
    }
}
