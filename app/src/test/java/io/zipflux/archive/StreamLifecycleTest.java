package io.zipflux.archive;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.stream.Stream;

import io.micrometer.core.instrument.MeterRegistry;
import io.netty.buffer.PooledByteBufAllocator;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;

import io.zipflux.system.RawConnection;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What a stream costs while it waits and after it ends: slow clients hold buffers, not threads, and
 * a client that goes away stops the packing and closes its files within a second.
 */
@ArchiveServiceTest
class StreamLifecycleTest {

    private static final int SLOW_CLIENTS = 200;

    private static Path big;

    @LocalServerPort
    private int port;

    @Autowired
    private MeterRegistry registry;

    @BeforeAll
    static void photos() {
        big = TestPhotos.sparseAlbum("big-album");
    }

    @Test
    void clientDisconnectStopsPackingAndClosesFiles() throws Exception {
        double abortedBefore = aborted();
        try (RawConnection connection = new RawConnection(port, 4096)) {
            connection.send(RawConnection.get("/archive/big-album/"));
            connection.head(Duration.ofSeconds(10));
            readAtLeast(connection, 200_000);
            assertThat(active()).isEqualTo(1);
            assertThat(openFilesUnder(big)).isPositive();
        }

        Await.within(Duration.ofSeconds(1), () -> active() == 0 && openFilesUnder(big) == 0);
        assertThat(aborted()).isEqualTo(abortedBefore + 1);
    }

    @Test
    void slowClientsHoldNoThreadsAndBoundedMemory() throws Exception {
        new ArchiveClient(port).get("/archive/big-album/", "Range", "bytes=0-1000");
        int threadsBefore = ManagementFactory.getThreadMXBean().getThreadCount();
        long directBefore = PooledByteBufAllocator.DEFAULT.metric().usedDirectMemory();
        try (StalledDownloads clients = new StalledDownloads(port)) {
            for (int i = 0; i < SLOW_CLIENTS; i++) {
                assertThat(clients.start("/archive/big-album/")).isEqualTo(200);
            }
            Await.within(Duration.ofSeconds(10), () -> active() == SLOW_CLIENTS);

            int threadsDuring = ManagementFactory.getThreadMXBean().getThreadCount();
            assertThat(threadsDuring - threadsBefore).as("threads added for %d stalled downloads", SLOW_CLIENTS)
                    .isLessThan(20);
            // Each stalled stream may hold chunk size (16 KB here) x write prefetch (4) in the server;
            // without that bound Reactor Netty would queue 128 chunks (2 MB) per stream.
            long directDuring = PooledByteBufAllocator.DEFAULT.metric().usedDirectMemory();
            assertThat(directDuring - directBefore).as("direct memory held by %d stalled downloads", SLOW_CLIENTS)
                    .isLessThan(SLOW_CLIENTS * 16L * 1024 * 4 * 4);
        }
        Await.within(Duration.ofSeconds(5), () -> active() == 0 && openFilesUnder(big) == 0);
    }

    /** Reads {@code count} bytes of a body whose head was read (which set the read timeout). */
    private static void readAtLeast(RawConnection connection, int count) throws IOException {
        byte[] buffer = new byte[8192];
        int total = 0;
        while (total < count) {
            int read = connection.read(buffer);
            assertThat(read).as("bytes before the server closed").isPositive();
            total += read;
        }
    }

    private double active() {
        return registry.get("zipflux.archive.streams.active").gauge().value();
    }

    private double aborted() {
        return registry.get("zipflux.archive.streams").tag("outcome", "aborted").counter().count();
    }

    /** Descriptors this JVM holds open on files under {@code folder}. */
    private static long openFilesUnder(Path folder) {
        try (Stream<Path> descriptors = Files.list(Path.of("/proc/self/fd"))) {
            return descriptors.map(StreamLifecycleTest::target)
                    .filter(target -> target != null && target.startsWith(folder))
                    .count();
        }
        catch (IOException ex) {
            throw new IllegalStateException(ex);
        }
    }

    private static Path target(Path descriptor) {
        try {
            return Files.readSymbolicLink(descriptor);
        }
        catch (IOException ex) {
            return null;
        }
    }
}
