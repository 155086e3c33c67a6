package io.zipflux.archive;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;

/** The seed's throttle: {@code ENABLE_RESPONSE_DELAY} + {@code RESPONSE_DELAY} pause between chunks. */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT, properties = {
        "PHOTOS_DIR=${java.io.tmpdir}/zipflux-test-photos",
        "ENABLE_RESPONSE_DELAY=true",
        "RESPONSE_DELAY=50ms",
        "CHUNK_SIZE=16KB",
})
class ResponseDelayTest {

    @LocalServerPort
    private int port;

    @BeforeAll
    static void photos() {
        TestPhotos.randomFile(TestPhotos.folder("throttled"), "photo.jpg", 160 * 1024);
    }

    @Test
    void responseDelayPausesBetweenChunks() throws Exception {
        long start = System.nanoTime();
        HttpResponse<byte[]> response = new ArchiveClient(port).get("/archive/throttled/");
        Duration elapsed = Duration.ofNanos(System.nanoTime() - start);

        // 10 file chunks plus header, descriptor and central directory: at least 13 pauses of 50 ms.
        assertThat(elapsed).isGreaterThanOrEqualTo(Duration.ofMillis(13 * 50));
        Path zip = Files.write(Files.createTempFile("throttled", ".zip"), response.body());
        ZipReaders.unzipTest(zip);
    }

    @Test
    void bareResponseDelayMeansSeconds() {
        Map<String, String> settings = Map.of("zipflux.archive.response-delay", "2",
                "zipflux.archive.response-delay-enabled", "true");

        ArchiveProperties properties = new Binder(new MapConfigurationPropertySource(settings))
                .bindOrCreate("zipflux.archive", ArchiveProperties.class);

        assertThat(properties.effectiveDelay()).isEqualTo(Duration.ofSeconds(2));
    }
}
