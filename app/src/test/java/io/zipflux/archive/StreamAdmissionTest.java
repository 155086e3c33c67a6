package io.zipflux.archive;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.time.Duration;

import io.micrometer.core.instrument.MeterRegistry;
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
 * Past {@code zipflux.archive.stream-memory-limit} of direct memory in use, a new download gets 503 with
 * Retry-After while the running ones, HEAD, small downloads and the liveness probe keep answering; once
 * streams end, downloads start again.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT, properties = {
        "zipflux.archive.photos-dir=${java.io.tmpdir}/zipflux-test-photos",
        // every read 1 MB: each stalled stream holds two (write prefetch), so a few fill the room
        "zipflux.archive.chunk-size=1MB",
        "zipflux.archive.large-chunk-size=1MB",
        "zipflux.archive.small-chunk-size=1MB",
        // the copying path (TLS, deflate, a response delay): stored file data sent with sendfile holds no buffers
        "zipflux.archive.zero-copy=false",
})
class StreamAdmissionTest {

    /** Room above the direct memory in use when the context starts (other contexts share this JVM's). */
    private static final long ROOM = 32L << 20;

    /** More than enough stalled streams to fill the room (2 MB each), if downloads were never refused. */
    private static final int MAX_STREAMS = 64;

    private static final String ALBUM = "/archive/admission-album/";

    @LocalServerPort
    private int port;

    @Autowired
    private MeterRegistry registry;

    @DynamicPropertySource
    static void limit(DynamicPropertyRegistry registry) {
        registry.add("zipflux.archive.stream-memory-limit", () -> (new NetworkMemory().used() + ROOM) + "B");
    }

    @BeforeAll
    static void photos() {
        TestPhotos.sparseAlbum("admission-album");
    }

    @Test
    void aDownloadPastTheMemoryLimitGets503WithRetryAfterWhileTheRestKeepsAnswering() throws Exception {
        ArchiveClient client = new ArchiveClient(port);
        double refusedBefore = refused();
        try (StalledDownloads streams = new StalledDownloads(port)) {
            int status = 200;
            while (status == 200 && streams.count() < MAX_STREAMS) {
                status = streams.start(ALBUM);
            }
            assertThat(streams.count()).as("downloads started below the limit").isGreaterThan(1);
            assertThat(status).as("answer to download %d", streams.count()).isEqualTo(503);
            assertThat(streams.lastHead())
                    .containsIgnoringCase("Retry-After: 5")
                    .containsIgnoringCase("Content-Type: application/problem+json");
            assertThat(refused()).isEqualTo(refusedBefore + 1);

            long start = System.nanoTime();
            HttpResponse<byte[]> liveness = client.get("/actuator/health/liveness");
            assertThat(liveness.statusCode()).isEqualTo(200);
            assertThat(Duration.ofNanos(System.nanoTime() - start)).as("liveness meanwhile").isLessThan(Duration.ofSeconds(1));
            assertThat(client.head(ALBUM).statusCode()).as("HEAD packs nothing: not refused").isEqualTo(200);
            HttpResponse<byte[]> firstKilobyte = client.get(ALBUM, "Range", "bytes=0-1023");
            assertThat(firstKilobyte.statusCode()).as("a small download is not refused").isEqualTo(206);
            assertThat(firstKilobyte.body()).hasSize(1024);
        }
        // The stalled streams' buffers go back once they are cut: whole downloads start again.
        Await.within(Duration.ofSeconds(10), this::aWholeDownloadStarts);
    }

    private boolean aWholeDownloadStarts() {
        try (StalledDownloads stream = new StalledDownloads(port)) {
            return stream.start(ALBUM) == 200;
        }
        catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }

    private double refused() {
        return registry.get("zipflux.archive.refused").counter().count();
    }
}
