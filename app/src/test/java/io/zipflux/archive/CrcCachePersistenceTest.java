package io.zipflux.archive;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.function.UnaryOperator;
import java.util.zip.CRC32;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.slf4j.LoggerFactory;
import reactor.core.scheduler.Schedulers;

import static org.assertj.core.api.Assertions.assertThat;

/** The CRC cache across restarts: saved to the data dir, loaded back, and a damaged file ignored. */
class CrcCachePersistenceTest {

    private static final Duration LOAD_LIMIT = Duration.ofSeconds(10);

    private static final List<FileIdentity> SAVED = List.of(
            new FileIdentity(1, 10, 100, 1_000_000_007L),
            new FileIdentity(1, 11, 200, 2_000_000_007L),
            new FileIdentity(2, 10, 300, 3_000_000_007L));

    @TempDir
    private Path folder;

    private final List<CrcCache> caches = new ArrayList<>();

    private final ListAppender<ILoggingEvent> logged = new ListAppender<>();

    private CrcCache cache(Duration saveInterval) {
        CrcCache cache = new CrcCache(1000, folder, Schedulers.boundedElastic(), new SimpleMeterRegistry(),
                Duration.ofSeconds(2), saveInterval);
        caches.add(cache);
        return cache;
    }

    @BeforeEach
    void listen() {
        logged.start();
        ((Logger) LoggerFactory.getLogger(CrcCache.class)).addAppender(logged);
    }

    @AfterEach
    void close() throws InterruptedException {
        ((Logger) LoggerFactory.getLogger(CrcCache.class)).detachAppender(logged);
        for (CrcCache cache : caches) {
            cache.destroy();
        }
    }

    @Test
    void aNewInstanceKnowsWhatTheLastOneSavedOnShutdown() throws InterruptedException {
        saveEntries();
        CrcCache next = cache(Duration.ofHours(1));
        Await.within(LOAD_LIMIT, () -> next.known(SAVED.get(2)).isPresent());
        for (int i = 0; i < SAVED.size(); i++) {
            assertThat(next.known(SAVED.get(i))).hasValue(0xFFFF_FFF0L + i);
        }
        assertThat(next.known(new FileIdentity(1, 10, 100, 1_000_000_008L))).isEmpty();
        assertThat(warnings()).isEmpty();
    }

    @Test
    void changesAreSavedPeriodically() throws InterruptedException {
        CrcCache running = cache(Duration.ofMillis(50));
        Await.within(LOAD_LIMIT, running::loaded);
        running.remember(SAVED.get(0), 5, Long.MAX_VALUE);
        Await.within(LOAD_LIMIT, () -> Files.exists(folder.resolve("crcs.bin")));
        // a second instance, while the first still runs
        CrcCache other = cache(Duration.ofHours(1));
        Await.within(LOAD_LIMIT, () -> other.known(SAVED.get(0)).isPresent());
    }

    /** Ways a cache file goes bad. */
    enum Damage {
        TRUNCATED(bytes -> Arrays.copyOf(bytes, bytes.length - 10)),
        FLIPPED_BYTE(bytes -> {
            bytes[CrcCacheFile.HEADER_BYTES + 5] ^= 0x01;
            return bytes;
        }),
        GARBAGE(bytes -> {
            new Random(3).nextBytes(bytes);
            return bytes;
        }),
        WRONG_VERSION(bytes -> withChecksum(ByteBuffer.wrap(bytes).putInt(4, CrcCacheFile.VERSION + 1).array())),
        EMPTY(bytes -> new byte[0]);

        private final UnaryOperator<byte[]> apply;

        Damage(UnaryOperator<byte[]> apply) {
            this.apply = apply;
        }
    }

    @ParameterizedTest
    @EnumSource(Damage.class)
    void aDamagedFileIsIgnoredWithAWarningAndReplacedByTheNextSave(Damage damage) throws Exception {
        Path file = saveEntries();
        Files.write(file, damage.apply.apply(Files.readAllBytes(file)));

        CrcCache next = cache(Duration.ofHours(1));
        Await.within(LOAD_LIMIT, next::loaded);
        assertThat(next.size()).isZero();
        assertThat(next.known(SAVED.get(0))).isEmpty();
        assertThat(warnings()).hasSize(1);
        assertThat(warnings().get(0)).contains("Ignoring the CRC cache file");

        FileIdentity fresh = new FileIdentity(3, 30, 30, 30);
        next.remember(fresh, 42, Long.MAX_VALUE);
        assertThat(next.known(fresh)).hasValue(42);
        next.destroy();

        CrcCache after = cache(Duration.ofHours(1));
        Await.within(LOAD_LIMIT, () -> after.known(fresh).isPresent());
        assertThat(warnings()).hasSize(1);
    }

    /** Saves {@link #SAVED} with CRCs near 2^32 (unsigned) through a cache that is then shut down. */
    private Path saveEntries() throws InterruptedException {
        CrcCache first = cache(Duration.ofHours(1));
        Await.within(LOAD_LIMIT, first::loaded);
        for (int i = 0; i < SAVED.size(); i++) {
            first.remember(SAVED.get(i), 0xFFFF_FFF0L + i, Long.MAX_VALUE);
        }
        first.destroy();
        Path file = folder.resolve("crcs.bin");
        assertThat(file).exists();
        return file;
    }

    private List<String> warnings() {
        return logged.list.stream()
                .filter(event -> event.getLevel() == Level.WARN)
                .map(ILoggingEvent::getFormattedMessage)
                .toList();
    }

    private static byte[] withChecksum(byte[] bytes) {
        CRC32 crc = new CRC32();
        crc.update(bytes, 0, bytes.length - CrcCacheFile.TRAILER_BYTES);
        ByteBuffer.wrap(bytes).putInt(bytes.length - CrcCacheFile.TRAILER_BYTES, (int) crc.getValue());
        return bytes;
    }
}
