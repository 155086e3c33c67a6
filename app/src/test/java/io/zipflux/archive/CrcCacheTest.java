package io.zipflux.archive;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.scheduler.Schedulers;
import reactor.test.StepVerifier;

import static org.assertj.core.api.Assertions.assertThat;

/** The CRC cache in memory: keyed by file identity, bounded, never keeping a CRC of bytes that may change. */
class CrcCacheTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private static final FileTime AN_HOUR_AGO = FileTime.from(Instant.now().minusSeconds(3600));

    @TempDir
    private Path dir;

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    private final List<CrcCache> caches = new ArrayList<>();

    private CrcCache cache(int capacity) throws IOException {
        CrcCache cache = new CrcCache(capacity, Files.createDirectories(dir.resolve("crc-cache")),
                Schedulers.boundedElastic(), registry, Duration.ofSeconds(2), Duration.ofHours(1));
        caches.add(cache);
        return cache;
    }

    @AfterEach
    void close() throws InterruptedException {
        for (CrcCache cache : caches) {
            cache.destroy();
        }
    }

    @Test
    void identityTakesDeviceAndInodeFromTheFileKey() throws IOException {
        Path file = file("a", 10, AN_HOUR_AGO);
        FileIdentity id = identity(file);
        assertThat(id.device()).isEqualTo(((Number) Files.getAttribute(file, "unix:dev")).longValue());
        assertThat(id.inode()).isEqualTo(((Number) Files.getAttribute(file, "unix:ino")).longValue());
        assertThat(id.size()).isEqualTo(10);
        assertThat(id.modifiedNanos()).isEqualTo(AN_HOUR_AGO.to(TimeUnit.NANOSECONDS));
    }

    @Test
    void aComputedCrcIsKnownAndAChangedFileNeverMatches() throws IOException {
        CrcCache cache = cache(100);
        Path file = file("a", 300_000, AN_HOUR_AGO);
        FileIdentity before = identity(file);
        verifyCrc(cache, file, before);
        assertThat(cache.known(before)).hasValue(crcOf(file));

        Files.write(file, new byte[] {1}, StandardOpenOption.APPEND);
        Files.setLastModifiedTime(file, AN_HOUR_AGO);
        assertChangedOnly(cache, before, identity(file), "size");

        FileIdentity untouched = identity(file);
        cache.remember(untouched, 7, System.currentTimeMillis());
        Files.setLastModifiedTime(file, FileTime.from(AN_HOUR_AGO.toInstant().plusNanos(1)));
        assertChangedOnly(cache, untouched, identity(file), "modifiedNanos");

        FileIdentity original = identity(file);
        cache.remember(original, 8, System.currentTimeMillis());
        Path replacement = Files.write(dir.resolve("a.new"), Files.readAllBytes(file));
        Files.setLastModifiedTime(replacement, Files.getLastModifiedTime(file));
        Files.move(replacement, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        assertChangedOnly(cache, original, identity(file), "inode");
    }

    /** The old identity is still known (positive control), the new one, differing only in {@code field}, is not. */
    private static void assertChangedOnly(CrcCache cache, FileIdentity old, FileIdentity now, String field) {
        assertThat(cache.known(old)).isPresent();
        assertThat(now).usingRecursiveComparison().ignoringFields(field).isEqualTo(old);
        assertThat(now).isNotEqualTo(old);
        assertThat(cache.known(now)).isEmpty();
    }

    @Test
    void keepsAtMostItsCapacityAndTheMostRecentEntries() throws IOException {
        CrcCache cache = cache(1000);
        Random random = new Random(11);
        List<FileIdentity> ids = new ArrayList<>();
        for (int i = 0; i < 5000; i++) {
            // random keys, so that probe runs collide and evictions shift them back
            ids.add(new FileIdentity(random.nextInt(4), random.nextLong(), random.nextInt(1000), random.nextLong(1L << 50)));
            cache.remember(ids.get(i), i, Long.MAX_VALUE);
            assertThat(cache.size()).isLessThanOrEqualTo(1000);
        }
        assertThat(cache.size()).isEqualTo(1000);
        for (int i = 0; i < 5000; i++) {
            if (i >= 4000) {
                assertThat(cache.known(ids.get(i))).as("entry %d", i).hasValue(i);
            }
            else {
                assertThat(cache.known(ids.get(i))).as("entry %d", i).isEmpty();
            }
        }
    }

    @Test
    void anEntryInUseOutlivesOlderUnusedOnes() throws IOException {
        CrcCache cache = cache(3);
        for (int i = 0; i < 3; i++) {
            cache.remember(new FileIdentity(1, i, 1, 0), i, Long.MAX_VALUE);
        }
        assertThat(cache.known(new FileIdentity(1, 0, 1, 0))).hasValue(0);
        cache.remember(new FileIdentity(1, 3, 1, 0), 3, Long.MAX_VALUE);
        assertThat(cache.known(new FileIdentity(1, 0, 1, 0))).hasValue(0);
        assertThat(cache.known(new FileIdentity(1, 1, 1, 0))).isEmpty();
        assertThat(cache.known(new FileIdentity(1, 3, 1, 0))).hasValue(3);
    }

    @Test
    void aCrcComputedRightAfterTheFileChangedIsReturnedButNotRemembered() throws IOException {
        CrcCache cache = cache(100);
        Path fresh = file("fresh", 1000, FileTime.from(Instant.now()));
        Path settled = file("settled", 1000, AN_HOUR_AGO);
        verifyCrc(cache, fresh, identity(fresh));
        verifyCrc(cache, settled, identity(settled));
        assertThat(cache.known(identity(fresh))).isEmpty();
        assertThat(cache.known(identity(settled))).hasValue(crcOf(settled));
    }

    @Test
    void aFileThatChangedBeforeOrDuringTheReadFailsAndIsNotRemembered() throws IOException {
        CrcCache cache = cache(100);
        Path file = file("a", 1000, AN_HOUR_AGO);
        FileIdentity id = identity(file);
        FileIdentity longer = new FileIdentity(id.device(), id.inode(), id.size() + 1, id.modifiedNanos());
        FileIdentity shorter = new FileIdentity(id.device(), id.inode(), id.size() - 1, id.modifiedNanos());
        verifyChanged(cache, file, longer);
        verifyChanged(cache, file, shorter);

        verifyCrc(cache, file, id);
        assertThat(cache.size()).as("positive control").isEqualTo(1);

        Path truncated = file("b", 1000, AN_HOUR_AGO);
        FileIdentity beforeTruncation = identity(truncated);
        try (FileChannel channel = FileChannel.open(truncated, StandardOpenOption.WRITE)) {
            channel.truncate(500);
        }
        Files.setLastModifiedTime(truncated, AN_HOUR_AGO);
        verifyChanged(cache, truncated, beforeTruncation);

        Path rewritten = file("c", 1000, AN_HOUR_AGO);
        FileIdentity beforeRewrite = identity(rewritten);
        Files.write(rewritten, new byte[1000]);
        verifyChanged(cache, rewritten, beforeRewrite);

        assertThat(cache.size()).isEqualTo(1);
        assertThat(registry.counter("zipflux.archive.crc.computed").count()).isEqualTo(1);
    }

    @Test
    void countsOnlyTheCrcsReadFromFiles() throws IOException {
        CrcCache cache = cache(100);
        Path file = file("a", 5000, AN_HOUR_AGO);
        FileIdentity id = identity(file);
        assertThat(registry.counter("zipflux.archive.crc.computed").count()).isZero();
        verifyCrc(cache, file, id);
        assertThat(cache.known(id)).isPresent();
        assertThat(cache.known(id)).isPresent();
        assertThat(registry.counter("zipflux.archive.crc.computed").count()).isEqualTo(1);
        assertThat(registry.counter("zipflux.archive.crc.computed.bytes").count()).isEqualTo(5000);
        assertThat(registry.get("zipflux.archive.crc.cache.entries").gauge().value()).isEqualTo(1);
        verifyCrc(cache, file, id);
        assertThat(registry.counter("zipflux.archive.crc.computed").count()).isEqualTo(2);
    }

    private static void verifyCrc(CrcCache cache, Path file, FileIdentity id) throws IOException {
        cache.compute(file, id)
                .as(StepVerifier::create)
                .expectNext(crcOf(file))
                .expectComplete()
                .verify(TIMEOUT);
    }

    private static void verifyChanged(CrcCache cache, Path file, FileIdentity id) {
        cache.compute(file, id)
                .as(StepVerifier::create)
                .expectErrorSatisfies(error -> assertThat(error)
                        .isInstanceOf(IOException.class)
                        .hasMessageContaining("changed while it was being sent"))
                .verify(TIMEOUT);
        assertThat(cache.known(id)).isEmpty();
    }

    private Path file(String name, int size, FileTime modified) throws IOException {
        byte[] bytes = new byte[size];
        new Random(name.hashCode()).nextBytes(bytes);
        Path file = Files.write(dir.resolve(name), bytes);
        return Files.setLastModifiedTime(file, modified);
    }

    static FileIdentity identity(Path file) throws IOException {
        return FileIdentity.of(Files.readAttributes(file, BasicFileAttributes.class));
    }

    private static long crcOf(Path file) throws IOException {
        CRC32 crc = new CRC32();
        crc.update(Files.readAllBytes(file));
        return crc.getValue();
    }
}
