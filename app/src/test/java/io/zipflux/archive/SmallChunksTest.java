package io.zipflux.archive;

import java.time.Duration;

import io.micrometer.core.instrument.MeterRegistry;
import io.netty.buffer.PooledByteBufAllocator;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Below {@code zipflux.archive.small-chunk-budget} of direct memory in use, streams read full-size
 * chunks; past it, each new stream holds small ones, so that a crowd fits in the direct memory limit.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT, properties = {
        "zipflux.archive.photos-dir=${java.io.tmpdir}/zipflux-test-photos",
        "zipflux.archive.chunk-size=256KB",
        "zipflux.archive.large-chunk-size=256KB",
        "zipflux.archive.small-chunk-size=8KB",
        // the copying path (TLS, deflate, a response delay): stored file data sent with sendfile holds no buffers
        "zipflux.archive.zero-copy=false",
})
class SmallChunksTest {

    /** Room above the direct memory in use when the context starts (other contexts share this JVM's). */
    private static final long ROOM = 32L << 20;

    private static final String ALBUM = "/archive/crowd-album/";

    /** Streams of 256 KB chunks (2 held each) fill the room with about 64; small ones would take 2,000. */
    private static final int MAX_LARGE_STREAMS = 256;

    private static final int SMALL_STREAMS = 200;

    /**
     * What the small streams may hold: two 8 KB chunks and one being read each; a new pool chunk per arena
     * (Netty's pool grows by whole chunks, 4 MiB, in each of its arenas); slack for the rest of the JVM.
     * With 256 KB chunks they would hold 100 MB.
     */
    private static final long SMALL_STREAMS_BOUND = SMALL_STREAMS * 3 * 8L * 1024
            + (long) PooledByteBufAllocator.DEFAULT.metric().numDirectArenas() * PooledByteBufAllocator.DEFAULT.metric().chunkSize()
            + (8L << 20);

    @LocalServerPort
    private int port;

    @Autowired
    private NetworkMemory memory;

    @Autowired
    private ArchiveProperties properties;

    @Autowired
    private MeterRegistry registry;

    @DynamicPropertySource
    static void budget(DynamicPropertyRegistry registry) {
        registry.add("zipflux.archive.small-chunk-budget", () -> (new NetworkMemory().used() + ROOM) + "B");
    }

    @BeforeAll
    static void photos() {
        TestPhotos.sparseAlbum("crowd-album");
    }

    @Test
    void streamsPastTheSmallChunkBudgetHoldSmallBuffers() throws Exception {
        long budget = properties.smallChunkBudgetBytes();
        try (StalledDownloads streams = new StalledDownloads(port)) {
            while (memory.used() < budget && streams.count() < MAX_LARGE_STREAMS) {
                assertThat(streams.start(ALBUM)).isEqualTo(200);
            }
            assertThat(memory.used()).as("direct memory after %d streams of 256 KB chunks", streams.count())
                    .isGreaterThanOrEqualTo(budget);

            long before = memory.used();
            for (int i = 0; i < SMALL_STREAMS; i++) {
                assertThat(streams.start(ALBUM)).isEqualTo(200);
            }
            int all = streams.count();
            Await.within(Duration.ofSeconds(10), () -> active() == all);
            assertThat(memory.used() - before).as("direct memory taken by %d more streams", SMALL_STREAMS)
                    .isLessThan(SMALL_STREAMS_BOUND);
        }
    }

    private double active() {
        return registry.get("zipflux.archive.streams.active").gauge().value();
    }
}
