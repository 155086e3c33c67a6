package io.zipflux.archive;

import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

import io.micrometer.core.instrument.MeterRegistry;
import io.netty.buffer.PooledByteBufAllocator;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;

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
        big = TestPhotos.folder("big-album");
        for (int i = 0; i < 4; i++) {
            TestPhotos.sparseFile(big, "part-" + i + ".raw", 16L << 20);
        }
    }

    @Test
    void clientDisconnectStopsPackingAndClosesFiles() throws Exception {
        double abortedBefore = aborted();
        try (Socket socket = requestWithoutReading("/archive/big-album/")) {
            readAtLeast(socket, 200_000);
            assertThat(active()).isEqualTo(1);
            assertThat(openFilesUnder(big)).isPositive();
        }

        awaitWithin(Duration.ofSeconds(1), () -> active() == 0 && openFilesUnder(big) == 0);
        assertThat(aborted()).isEqualTo(abortedBefore + 1);
    }

    @Test
    void slowClientsHoldNoThreadsAndBoundedMemory() throws Exception {
        new ArchiveClient(port).get("/archive/big-album/", "Range", "bytes=0-1000");
        int threadsBefore = ManagementFactory.getThreadMXBean().getThreadCount();
        long directBefore = PooledByteBufAllocator.DEFAULT.metric().usedDirectMemory();
        List<Socket> clients = new ArrayList<>();
        try {
            for (int i = 0; i < SLOW_CLIENTS; i++) {
                Socket socket = requestWithoutReading("/archive/big-album/");
                readAtLeast(socket, 100);
                clients.add(socket);
            }
            awaitWithin(Duration.ofSeconds(10), () -> active() == SLOW_CLIENTS);

            int threadsDuring = ManagementFactory.getThreadMXBean().getThreadCount();
            assertThat(threadsDuring - threadsBefore).as("threads added for %d stalled downloads", SLOW_CLIENTS)
                    .isLessThan(20);
            // Each stalled stream may hold chunk size (16 KB here) x write prefetch (4) in the server;
            // without that bound Reactor Netty would queue 128 chunks (2 MB) per stream.
            long directDuring = PooledByteBufAllocator.DEFAULT.metric().usedDirectMemory();
            assertThat(directDuring - directBefore).as("direct memory held by %d stalled downloads", SLOW_CLIENTS)
                    .isLessThan(SLOW_CLIENTS * 16L * 1024 * 4 * 4);
        }
        finally {
            for (Socket socket : clients) {
                socket.close();
            }
        }
        awaitWithin(Duration.ofSeconds(5), () -> active() == 0 && openFilesUnder(big) == 0);
    }

    /** Sends a GET and then reads nothing, like a client on a very slow link. */
    private Socket requestWithoutReading(String path) throws IOException {
        Socket socket = new Socket();
        socket.setReceiveBufferSize(4096);
        socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
        socket.setSoTimeout(10_000);
        String request = "GET " + path + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n";
        socket.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
        socket.getOutputStream().flush();
        return socket;
    }

    private static void readAtLeast(Socket socket, int count) throws IOException {
        InputStream in = socket.getInputStream();
        byte[] buffer = new byte[8192];
        int total = 0;
        while (total < count) {
            int read = in.read(buffer, 0, Math.min(buffer.length, count - total));
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

    private static void awaitWithin(Duration limit, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("condition met within %s", limit).isLessThan(deadline);
            Thread.sleep(20);
        }
    }
}
