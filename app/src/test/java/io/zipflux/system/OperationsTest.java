package io.zipflux.system;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.autoconfigure.actuate.observability.AutoConfigureObservability;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.core.env.Environment;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;

import io.zipflux.security.TestKeys;

import static org.assertj.core.api.Assertions.assertThat;

/** What operators and first-time visitors see: landing page, health, metrics, API docs. */
@AutoConfigureObservability
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT, properties = {
        "zipflux.archive.photos-dir=${java.io.tmpdir}/zipflux-test-photos",
        "zipflux.archive.chunk-size=16KB",
})
class OperationsTest {

    @Autowired
    private WebTestClient web;

    @Autowired
    private Environment environment;

    @Test
    void landingPageSaysHowToDownloadWithoutListingFolders() throws Exception {
        Path root = Path.of(System.getProperty("java.io.tmpdir"), "zipflux-test-photos");
        Files.createDirectories(root.resolve("secret-hash-folder"));

        String page = web.get().uri("/").accept(MediaType.TEXT_HTML).exchange()
                .expectStatus().isOk()
                .expectBody(String.class).returnResult().getResponseBody();

        assertThat(page).contains("/archive/").doesNotContain("secret-hash-folder");
    }

    @Test
    void healthIsUp() {
        web.get().uri("/actuator/health").exchange()
                .expectStatus().isOk()
                .expectBody().jsonPath("$.status").isEqualTo("UP");
    }

    @Test
    void prometheusShowsArchiveMetricsAfterADownload() throws Exception {
        Files.createDirectories(Path.of(System.getProperty("java.io.tmpdir"), "zipflux-test-photos", "metrics-probe"));
        web.get().uri("/archive/no-such-thing/").exchange().expectStatus().isNotFound();
        web.get().uri("/archive/metrics-probe/").exchange().expectStatus().isOk();

        String metrics = web.get().uri("/actuator/prometheus")
                .headers(headers -> headers.setBearerAuth(TestKeys.client(environment, "operations")))
                .exchange()
                .expectStatus().isOk()
                .expectBody(String.class).returnResult().getResponseBody();

        assertThat(metrics).contains("zipflux_archive_streams_active", "zipflux_archive_bytes_sent_total",
                "zipflux_archive_streams_total{application=\"zipflux\",outcome=\"completed\"}",
                "zipflux_archive_first_byte_seconds_count");
    }

    @Test
    void openApiDescribesTheArchiveAndJobEndpoints() {
        web.get().uri("/v3/api-docs").exchange()
                .expectStatus().isOk()
                .expectBody()
                .jsonPath("$.paths['/archive/{hash}/'].get").exists()
                .jsonPath("$.paths['/api/v1/files'].post").exists()
                .jsonPath("$.paths['/api/v1/jobs/{id}/{action}'].post").exists();
    }

    @Test
    void unknownPathsAnswerProblemJson() {
        web.get().uri("/nothing-here").exchange()
                .expectStatus().isNotFound()
                .expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON);
    }
}
