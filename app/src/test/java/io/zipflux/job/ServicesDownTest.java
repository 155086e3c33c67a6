package io.zipflux.job;

import java.nio.file.Path;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.annotation.DirtiesContext;

import io.zipflux.job.JobsClient.Answer;
import io.zipflux.security.TestKeys;

import static org.assertj.core.api.Assertions.assertThat;

/** With neither Kafka nor PostgreSQL reachable the service starts, streams archives and says what is down. */
@DirtiesContext // its broker or services are gone afterwards: close it rather than keep it cached
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT, properties = {
        "zipflux.local-services=false",
        "spring.kafka.bootstrap-servers=127.0.0.1:1",
        "spring.r2dbc.url=r2dbc:postgresql://127.0.0.1:1/nowhere",
        "zipflux.archive.photos-dir=${java.io.tmpdir}/zipflux-down-photos",
        "zipflux.data-dir=${java.io.tmpdir}/zipflux-test-data",
})
class ServicesDownTest {

    @LocalServerPort
    private int port;

    @BeforeAll
    static void photos() throws Exception {
        Path album = Path.of(System.getProperty("java.io.tmpdir"), "zipflux-down-photos", "still-works");
        java.nio.file.Files.createDirectories(album);
        java.nio.file.Files.writeString(album.resolve("photo.txt"), "archives need neither Kafka nor PostgreSQL");
    }

    private JobsClient client() {
        return new JobsClient(port);
    }

    /** No key can be written where there is no database: any well-formed one, which cannot be checked either. */
    private JobsClient caller() {
        return client().as(TestKeys.unknown());
    }

    @Test
    void archivesStillStream() {
        Answer archive = client().get("/archive/still-works/");

        assertThat(archive.status()).isEqualTo(200);
        assertThat(archive.contentType()).isEqualTo("application/zip");
    }

    @Test
    void healthShowsKafkaAndPostgresDown() {
        Answer health = client().get("/actuator/health");

        assertThat(health.status()).isEqualTo(503);
        assertThat(health.body().at("/components/kafka/status").asText()).isEqualTo("DOWN");
        assertThat(health.body().at("/components/r2dbc/status").asText()).isEqualTo("DOWN");
        assertThat(client().get("/actuator/health/liveness").status()).isEqualTo(200);
    }

    @Test
    void jobEndpointsAnswerServiceUnavailable() throws Exception {
        Path file = java.nio.file.Files.writeString(java.nio.file.Files.createTempFile("down", ".txt"), "x");

        for (Answer answer : new Answer[] {
            caller().get("/api/v1/jobs"),
            caller().get("/api/v1/jobs/00000000-0000-0000-0000-000000000000"),
            caller().get("/api/v1/files/00000000-0000-0000-0000-000000000000/hash"),
            caller().upload("file", file),
            caller().post("/api/v1/exports?from=2026-01-01&to=2026-01-31"),
            caller().get("/api/v1/responses.csv"),
            caller().post("/api/v1/imports"),
            caller().send("POST", "/api/v1/imports", "text/csv", java.net.http.HttpRequest.BodyPublishers.ofString("a,b\n")),
            caller().send("PUT", "/api/v1/imports/00000000-0000-0000-0000-000000000000", "text/csv",
                    java.net.http.HttpRequest.BodyPublishers.ofString("a,b\n")),
        }) {
            assertThat(answer.status()).isEqualTo(503);
            assertThat(answer.contentType()).isEqualTo("application/problem+json");
        }
    }
}
