package io.zipflux.system;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;
import java.util.function.Consumer;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.core.env.Environment;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.EntityExchangeResult;
import org.springframework.test.web.reactive.server.WebTestClient;

import io.zipflux.security.TestKeys;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Answers to real requests are described: each status is one the route's description lists, in a media type it
 * lists, and real bodies have the described schemas' members.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT, properties = {
        "zipflux.archive.photos-dir=${java.io.tmpdir}/zipflux-test-photos-api",
        "zipflux.data-dir=${java.io.tmpdir}/zipflux-test-data-api",
        "zipflux.security.max-active-jobs=1",
})
class ApiAnswersTest {

    private static final String ALBUM = "api-album";

    @Autowired
    private WebTestClient web;

    @Autowired
    private Environment environment;

    private ApiDocument document;

    @BeforeAll
    static void album() throws Exception {
        Path folder = Files.createDirectories(Path.of(System.getProperty("java.io.tmpdir"), "zipflux-test-photos-api", ALBUM));
        Files.writeString(folder.resolve("photo.txt"), "not really a photo");
    }

    @BeforeEach
    void description() {
        web = web.mutate().responseTimeout(Duration.ofSeconds(30)).build();
        document = ApiDocument.of(web);
    }

    @Test
    void realAnswersOfArchivesAreDescribed() {
        String route = "GET /archive/{hash}";
        EntityExchangeResult<byte[]> whole = web.get().uri("/archive/" + ALBUM + "/").exchange()
                .expectStatus().isOk().expectBody().returnResult();
        proves(route, whole);
        String etag = whole.getResponseHeaders().getETag();
        proves(route, web.get().uri("/archive/" + ALBUM + "/").header(HttpHeaders.RANGE, "bytes=1000000-").exchange()
                .expectStatus().isEqualTo(416)
                .expectHeader().valueEquals(HttpHeaders.CONTENT_RANGE, "bytes */" + whole.getResponseBody().length)
                .expectBody().returnResult());
        proves(route, web.get().uri("/archive/" + ALBUM + "/").header(HttpHeaders.RANGE, "bytes=0-9").exchange()
                .expectStatus().isEqualTo(206).expectBody().returnResult());
        proves(route, web.get().uri("/archive/" + ALBUM + "/").header(HttpHeaders.IF_NONE_MATCH, etag).exchange()
                .expectStatus().isNotModified().expectBody().returnResult());
        proves(route, web.get().uri("/archive/" + ALBUM + "/?compression=bzip").exchange()
                .expectStatus().isBadRequest().expectBody().returnResult());
        proves(route, web.get().uri("/archive/no-such-album/").exchange()
                .expectStatus().isNotFound().expectBody().returnResult());
        proves("HEAD /archive/{hash}", web.head().uri("/archive/" + ALBUM + "/").header(HttpHeaders.RANGE, "bytes=5-")
                .exchange().expectStatus().isEqualTo(206).expectBody().returnResult());
    }

    @Test
    void realAnswersOfTheApiAreDescribed() {
        String client = TestKeys.client(environment, "api-description");
        proves("GET /api/v1/jobs", web.get().uri("/api/v1/jobs").exchange()
                .expectStatus().isUnauthorized().expectBody().returnResult());
        proves("GET /api/v1/jobs", web.get().uri("/api/v1/jobs?limit=0").headers(bearer(client)).exchange()
                .expectStatus().isBadRequest().expectBody().returnResult());
        proves("GET /api/v1/keys", web.get().uri("/api/v1/keys").headers(bearer(client)).exchange()
                .expectStatus().isForbidden().expectBody().returnResult());
        proves("POST /api/v1/jobs/{id}/{action}", web.post().uri("/api/v1/jobs/" + UUID.randomUUID() + "/restart")
                .headers(bearer(client)).exchange().expectStatus().isBadRequest().expectBody().returnResult());
        EntityExchangeResult<byte[]> unknownFile = web.get().uri("/api/v1/files/" + UUID.randomUUID() + "/hash")
                .headers(bearer(client)).exchange().expectStatus().isNotFound().expectBody().returnResult();
        proves("GET /api/v1/files/{id}/hash", unknownFile);
        assertThat(ApiDocument.names(read(unknownFile))).isSubsetOf(document.properties("FileHash"));

        // This client may have one active job: a created import waits for its data, so the next one is refused.
        String limited = TestKeys.client(environment, "api-description-limited");
        EntityExchangeResult<byte[]> created = web.post().uri("/api/v1/imports").headers(bearer(limited)).exchange()
                .expectStatus().isCreated().expectBody().returnResult();
        proves("POST /api/v1/imports", created);
        assertThat(ApiDocument.names(read(created))).isEqualTo(document.properties("Job"));
        proves("POST /api/v1/imports", web.post().uri("/api/v1/imports").headers(bearer(limited)).exchange()
                .expectStatus().isEqualTo(429).expectHeader().exists(HttpHeaders.RETRY_AFTER).expectBody().returnResult());
        web.post().uri("/api/v1/jobs/" + read(created).get("id").asText() + "/cancel").headers(bearer(limited)).exchange()
                .expectStatus().isAccepted().expectBody().returnResult();
    }

    @Test
    void aRangePastTheEndOfAnExportIsThe416Described() {
        String client = TestKeys.client(environment, "api-description-export");
        JsonNode job = read(web.post().uri("/api/v1/exports").headers(bearer(client)).exchange()
                .expectStatus().isAccepted().expectBody().returnResult());
        String download = "/api/v1/exports/" + job.get("id").asText() + "/download";
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!"SUCCEEDED".equals(read(web.get().uri("/api/v1/jobs/" + job.get("id").asText()).headers(bearer(client))
                .exchange().expectStatus().isOk().expectBody().returnResult()).get("state").asText())) {
            assertThat(System.nanoTime()).as("export %s SUCCEEDED in time", job.get("id")).isLessThan(deadline);
        }
        String route = "GET /api/v1/exports/{id}/download";
        proves(route, web.get().uri(download).headers(bearer(client)).header(HttpHeaders.RANGE, "bytes=0-3").exchange()
                .expectStatus().isEqualTo(206).expectBody().returnResult());
        proves(route, web.get().uri(download).headers(bearer(client)).header(HttpHeaders.RANGE, "bytes=1000000-").exchange()
                .expectStatus().isEqualTo(416).expectBody().returnResult());
    }

    /** The answer's status is one the route describes, in one of the media types described for it. */
    private void proves(String route, EntityExchangeResult<byte[]> answer) {
        JsonNode operation = document.operations().get(route);
        String status = String.valueOf(answer.getStatus().value());
        assertThat(ApiDocument.statuses(operation)).as(route).contains(answer.getStatus().value());
        JsonNode content = operation.at("/responses/" + status + "/content");
        MediaType type = answer.getResponseHeaders().getContentType();
        if (content.isMissingNode() || route.startsWith("HEAD ") || answer.getResponseBody() == null) {
            assertThat(answer.getResponseBody()).as(route + " " + status + " has no body").isNullOrEmpty();
            return;
        }
        assertThat(ApiDocument.names(content)).as(route + " " + status).anySatisfy(described ->
                assertThat(MediaType.parseMediaType(described).isCompatibleWith(type)).isTrue());
        if (MediaType.APPLICATION_PROBLEM_JSON.isCompatibleWith(type)) {
            // Problems may add members of their own (the schema allows them); the standard ones are as described.
            JsonNode problem = read(answer);
            assertThat(problem.get("status").asInt()).isEqualTo(answer.getStatus().value());
            assertThat(problem.get("title").isTextual()).isTrue();
            assertThat(document.json().at("/components/schemas/Problem/additionalProperties").asBoolean()).isTrue();
        }
    }

    private static JsonNode read(EntityExchangeResult<byte[]> answer) {
        return ApiDocument.read(answer.getResponseBody());
    }

    private static Consumer<HttpHeaders> bearer(String key) {
        return headers -> headers.setBearerAuth(key);
    }
}
