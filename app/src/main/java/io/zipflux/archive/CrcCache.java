package io.zipflux.archive;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.OptionalLong;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;

import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;

import io.zipflux.system.DataDir;

/** File CRC-32s by {@link FileIdentity}: bounded, in memory, and kept in the data dir across restarts. */
@Component
class CrcCache implements DisposableBean {

    private static final Logger log = LoggerFactory.getLogger(CrcCache.class);

    // On the heap, one per file-pool thread: a direct buffer per call would hold direct memory until a GC.
    private static final ThreadLocal<ByteBuffer> BUFFERS = ThreadLocal.withInitial(() -> ByteBuffer.allocate(256 * 1024));

    private final int capacity;

    private final CrcTable table;

    private final Path file;

    private final Scheduler scheduler;

    private final long settleMillis;

    private final ScheduledExecutorService saver;

    private final Counter computed;

    private final Counter computedBytes;

    private volatile boolean loaded;

    /** {@link CrcTable#changes()} as of the last save or load; guarded by {@code table}. */
    private long savedChanges;

    @Autowired
    CrcCache(ArchiveProperties properties, FileIo fileIo, DataDir dataDir, MeterRegistry registry) {
        this(properties.crcCacheEntries(), dataDir.folder("crc-cache"), fileIo.scheduler(), registry,
                properties.crcCacheSettle(), properties.crcCacheSaveInterval());
    }

    /**
     * @param settle how long after a file's modification time a CRC computation must start to be remembered
     * @param saveInterval how often the cache is saved when it has changed
     */
    CrcCache(int capacity, Path folder, Scheduler scheduler, MeterRegistry registry, Duration settle,
            Duration saveInterval) {
        this.capacity = capacity;
        this.table = new CrcTable(capacity);
        this.file = folder.resolve("crcs.bin");
        this.scheduler = scheduler;
        this.settleMillis = settle.toMillis();
        this.computed = Counter.builder("zipflux.archive.crc.computed")
                .description("File CRCs computed by reading the file (not found in the CRC cache)")
                .register(registry);
        this.computedBytes = Counter.builder("zipflux.archive.crc.computed.bytes")
                .description("Bytes read to compute file CRCs")
                .register(registry);
        Gauge.builder("zipflux.archive.crc.cache.entries", this, CrcCache::size)
                .description("File CRCs held by the CRC cache")
                .register(registry);
        this.saver = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "zipflux-crc-cache");
            thread.setDaemon(true);
            return thread;
        });
        saver.execute(capacity > 0 ? this::load : () -> loaded = true);
        long interval = Math.max(1, saveInterval.toMillis());
        saver.scheduleWithFixedDelay(this::save, interval, interval, TimeUnit.MILLISECONDS);
    }

    /** The CRC of the file with this identity, if it is known; takes a lock, never touches the disk. */
    OptionalLong known(FileIdentity id) {
        long crc;
        synchronized (table) {
            crc = table.get(id);
        }
        return crc == CrcTable.ABSENT ? OptionalLong.empty() : OptionalLong.of(crc);
    }

    /** Keeps {@code crc} for {@code id}, unless its computation started too soon after the file changed. */
    void remember(FileIdentity id, long crc, long computedStartMillis) {
        // Timestamps are coarse: a write in the same tick as the one that set mtime leaves mtime (and so the
        // identity) unchanged, and bytes read just then may be older than the bytes the identity ends up
        // naming. A read that starts `settle` (longer than a tick, and any skew to a network file system's
        // clock) after mtime saw every write of that tick; any later write gives a new mtime.
        if (computedStartMillis < id.modifiedMillis() + settleMillis) {
            return;
        }
        synchronized (table) {
            table.put(id, (int) crc);
        }
    }

    /**
     * The CRC-32 of {@code file}, read on the file pool and remembered; fails, remembering nothing, if
     * the file is not {@code id} from before the read until after it.
     */
    Mono<Long> compute(Path file, FileIdentity id) {
        return Mono.fromCallable(() -> computeNow(file, id))
                .subscribeOn(scheduler);
    }

    private long computeNow(Path file, FileIdentity id) throws IOException {
        long startMillis = System.currentTimeMillis();
        ByteBuffer buffer = BUFFERS.get();
        CRC32 crc = new CRC32();
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            for (long position = 0; position < id.size(); ) {
                buffer.clear().limit((int) Math.min(buffer.capacity(), id.size() - position));
                int read = channel.read(buffer, position);
                if (read < 0) {
                    throw changed(file);
                }
                position += read;
                crc.update(buffer.flip());
            }
        }
        if (!id.sameFile(FileIdentity.of(Files.readAttributes(file, BasicFileAttributes.class)))) {
            throw changed(file);
        }
        remember(id, crc.getValue(), startMillis);
        computed.increment();
        computedBytes.increment(id.size());
        return crc.getValue();
    }

    private static IOException changed(Path file) {
        return new IOException(file + " changed while it was being sent");
    }

    int size() {
        synchronized (table) {
            return table.size();
        }
    }

    /** Whether the saved cache has been read (or found missing or damaged); until then the cache is just empty. */
    boolean loaded() {
        return loaded;
    }

    private void load() {
        try {
            CrcTable stored = CrcCacheFile.read(file, capacity);
            synchronized (table) {
                long before = table.changes();
                stored.forEachOldestFirst(table::put);
                // What came from the file needs no saving back.
                savedChanges += table.changes() - before;
            }
        }
        catch (NoSuchFileException ex) {
            // First start: nothing saved yet.
        }
        catch (IOException | RuntimeException ex) {
            log.warn("Ignoring the CRC cache file {}, starting empty: {}", file, ex.toString());
        }
        finally {
            loaded = true;
        }
    }

    /** Writes the cache to its file if it changed since the last save; a failure is logged, the next save retries. */
    void save() {
        byte[] content;
        long changes;
        synchronized (table) {
            // Before the load, saving would replace the saved cache with a near-empty one.
            if (!loaded || table.changes() == savedChanges) {
                return;
            }
            changes = table.changes();
            content = CrcCacheFile.encode(table);
        }
        try {
            CrcCacheFile.write(file, content);
            synchronized (table) {
                savedChanges = changes;
            }
        }
        catch (IOException | RuntimeException ex) {
            log.warn("Cannot save the CRC cache to {}: {}", file, ex.toString());
        }
    }

    @Override
    public void destroy() throws InterruptedException {
        saver.shutdown();
        saver.awaitTermination(10, TimeUnit.SECONDS);
        save();
    }
}
