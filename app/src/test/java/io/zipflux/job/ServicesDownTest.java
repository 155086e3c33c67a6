package io.zipflux.job;

import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import io.zipflux.job.JobsClient.Answer;
import io.zipflux.security.TestKeys;
import io.zipflux.security.TestTokens;

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

    /** A token of the test's own identity provider is checked without the database; an API key is not. */
    @DynamicPropertySource
    static void identityProvider(DynamicPropertyRegistry registry) {
        registry.add("spring.security.oauth2.resourceserver.jwt.public-key-location", TestTokens::publicKeyLocation);
    }

    @BeforeAll
    static void photos() throws Exception {
        Path album = Path.of(System.getProperty("java.io.tmpdir"), "zipflux-down-photos", "still-works");
        java.nio.file.Files.createDirectories(album);
        java.nio.file.Files.writeString(album.resolve("photo.txt"), "archives need neither Kafka nor PostgreSQL");
    }

    private JobsClient client() {
        return new JobsClient(port);
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

        // A token is checked without the database, so the job endpoints themselves answer.
        for (Answer answer : jobRequests(client().as(TestTokens.client("services-down")), file)) {
            assertThat(answer.status()).as("%s", answer.body()).isEqualTo(503);
            assertThat(answer.contentType()).isEqualTo("application/problem+json");
            assertThat(answer.body().get("title").asText()).isEqualTo("Jobs are unavailable");
        }
        // No key can be written where there is no database, and none can be checked: any well-formed one is a 503 too.
        for (Answer answer : jobRequests(client().as(TestKeys.unknown()), file)) {
            assertThat(answer.status()).as("%s", answer.body()).isEqualTo(503);
            assertThat(answer.contentType()).isEqualTo("application/problem+json");
            assertThat(answer.body().get("title").asText()).isEqualTo("Credentials cannot be checked");
        }
    }

    private static List<Answer> jobRequests(JobsClient caller, Path file) throws Exception {
        return List.of(
                caller.get("/api/v1/jobs"),
                caller.get("/api/v1/jobs/00000000-0000-0000-0000-000000000000"),
                caller.get("/api/v1/files/00000000-0000-0000-0000-000000000000/hash"),
                caller.upload("file", file),
                caller.post("/api/v1/exports?from=2026-01-01&to=2026-01-31"),
                caller.get("/api/v1/responses.csv"),
                caller.post("/api/v1/imports"),
                caller.send("POST", "/api/v1/imports", "text/csv", java.net.http.HttpRequest.BodyPublishers.ofString("a,b\n")),
                caller.send("PUT", "/api/v1/imports/00000000-0000-0000-0000-000000000000", "text/csv",
                        java.net.http.HttpRequest.BodyPublishers.ofString("a,b\n")));
    }
}
