package io.zipflux.system;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.core.env.Environment;
import org.springframework.http.HttpHeaders;
import org.springframework.test.web.reactive.server.WebTestClient;

import io.zipflux.security.TestKeys;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * With {@code zipflux.http.cors-origins} set, the listed origins (and only they) may call {@code /api/v1/**} and
 * {@code /archive/**} from a browser and read the headers a download needs; other routes stay same-origin.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT, properties = {
        "zipflux.archive.photos-dir=${java.io.tmpdir}/zipflux-test-photos-cors",
        "zipflux.data-dir=${java.io.tmpdir}/zipflux-test-data-cors",
        "zipflux.http.cors-origins=https://forms.example.org,http://localhost:3000",
})
class CorsOriginsTest {

    private static final String ALLOWED = "https://forms.example.org";

    private static final String ALBUM = "cors-album";

    @Autowired
    private WebTestClient web;

    @Autowired
    private Environment environment;

    @BeforeEach
    void patientClient() {
        // A loaded machine (the suite runs beside other work) can take seconds for a request, the first
        // /v3/api-docs more (springdoc builds the description then).
        web = web.mutate().responseTimeout(Duration.ofSeconds(30)).build();
    }

    @BeforeAll
    static void album() throws Exception {
        Path folder = Files.createDirectories(Path.of(System.getProperty("java.io.tmpdir"), "zipflux-test-photos-cors", ALBUM));
        Files.writeString(folder.resolve("a.txt"), "a photo, or nearly");
    }

    @Test
    void aListedOriginPassesThePreflightOfTheApiAndOfArchives() {
        for (String origin : new String[] {ALLOWED, "http://localhost:3000"}) {
            for (String[] route : new String[][] {{"/api/v1/exports", "POST"}, {"/archive/" + ALBUM + "/", "GET"}}) {
                web.options().uri(route[0])
                        .header(HttpHeaders.ORIGIN, origin)
                        .header(HttpHeaders.ACCESS_CONTROL_REQUEST_METHOD, route[1])
                        .header(HttpHeaders.ACCESS_CONTROL_REQUEST_HEADERS, "authorization, range, idempotency-key")
                        .exchange()
                        .expectStatus().isOk()
                        .expectHeader().valueEquals(HttpHeaders.ACCESS_CONTROL_ALLOW_ORIGIN, origin)
                        .expectHeader().value(HttpHeaders.ACCESS_CONTROL_ALLOW_METHODS, methods -> assertThat(methods).contains(route[1]))
                        .expectHeader().value(HttpHeaders.ACCESS_CONTROL_ALLOW_HEADERS, headers -> assertThat(headers.toLowerCase())
                                .contains("authorization", "range", "idempotency-key"))
                        .expectHeader().doesNotExist(HttpHeaders.ACCESS_CONTROL_ALLOW_CREDENTIALS)
                        .expectBody().isEmpty();
            }
        }
    }

    @Test
    void aListedOriginReadsTheAnswersOfARealGetAndPost() {
        String key = TestKeys.client(environment, "cors-allowed");
        web.post().uri("/api/v1/exports")
                .header(HttpHeaders.ORIGIN, ALLOWED)
                .headers(headers -> headers.setBearerAuth(key))
                .exchange()
                .expectStatus().isAccepted()
                .expectHeader().valueEquals(HttpHeaders.ACCESS_CONTROL_ALLOW_ORIGIN, ALLOWED)
                .expectHeader().value(HttpHeaders.ACCESS_CONTROL_EXPOSE_HEADERS, CorsOriginsTest::exposesDownloadHeaders)
                .expectBody().jsonPath("$.type").isEqualTo("export");
        web.get().uri("/archive/" + ALBUM + "/")
                .header(HttpHeaders.ORIGIN, ALLOWED)
                .header(HttpHeaders.RANGE, "bytes=0-9")
                .exchange()
                .expectStatus().isEqualTo(206)
                .expectHeader().valueEquals(HttpHeaders.ACCESS_CONTROL_ALLOW_ORIGIN, ALLOWED)
                .expectHeader().value(HttpHeaders.ACCESS_CONTROL_EXPOSE_HEADERS, CorsOriginsTest::exposesDownloadHeaders)
                .expectHeader().exists(HttpHeaders.CONTENT_RANGE)
                .expectHeader().exists(HttpHeaders.ETAG)
                .expectBody().consumeWith(body -> assertThat(body.getResponseBody()).hasSize(10));
    }

    @Test
    void anOriginNotListedIsRefused() {
        for (String origin : new String[] {"https://evil.example", "https://forms.example.org.evil.example", "null"}) {
            web.options().uri("/api/v1/exports")
                    .header(HttpHeaders.ORIGIN, origin)
                    .header(HttpHeaders.ACCESS_CONTROL_REQUEST_METHOD, "POST")
                    .exchange()
                    .expectStatus().isForbidden()
                    .expectHeader().doesNotExist(HttpHeaders.ACCESS_CONTROL_ALLOW_ORIGIN)
                    .expectBody().returnResult();
        }
        web.get().uri("/api/v1/jobs?limit=1")
                .header(HttpHeaders.ORIGIN, "https://evil.example")
                .headers(headers -> headers.setBearerAuth(TestKeys.client(environment, "cors-refused")))
                .exchange()
                .expectStatus().isForbidden()
                .expectHeader().doesNotExist(HttpHeaders.ACCESS_CONTROL_ALLOW_ORIGIN)
                .expectBody().returnResult();
        web.get().uri("/archive/" + ALBUM + "/")
                .header(HttpHeaders.ORIGIN, "https://evil.example")
                .exchange()
                .expectStatus().isForbidden()
                .expectHeader().doesNotExist(HttpHeaders.ACCESS_CONTROL_ALLOW_ORIGIN)
                .expectBody().returnResult();
    }

    @Test
    void routesOutsideTheApiAndArchivesHaveNoCorsHeaders() {
        // The positive control: the same origin, on an API route, is let in.
        web.get().uri("/api/v1/jobs?limit=1")
                .header(HttpHeaders.ORIGIN, ALLOWED)
                .headers(headers -> headers.setBearerAuth(TestKeys.client(environment, "cors-control")))
                .exchange()
                .expectStatus().isOk()
                .expectHeader().valueEquals(HttpHeaders.ACCESS_CONTROL_ALLOW_ORIGIN, ALLOWED)
                .expectBody().returnResult();
        for (String path : new String[] {"/actuator/health/liveness", "/v3/api-docs", "/"}) {
            web.get().uri(path)
                    .header(HttpHeaders.ORIGIN, ALLOWED)
                    .exchange()
                    .expectStatus().isOk()
                    .expectHeader().doesNotExist(HttpHeaders.ACCESS_CONTROL_ALLOW_ORIGIN)
                    .expectHeader().doesNotExist(HttpHeaders.ACCESS_CONTROL_EXPOSE_HEADERS)
                    .expectBody().returnResult();
            web.options().uri(path)
                    .header(HttpHeaders.ORIGIN, ALLOWED)
                    .header(HttpHeaders.ACCESS_CONTROL_REQUEST_METHOD, "GET")
                    .exchange()
                    .expectStatus().isForbidden()
                    .expectHeader().doesNotExist(HttpHeaders.ACCESS_CONTROL_ALLOW_ORIGIN)
                    .expectBody().returnResult();
        }
    }

    private static void exposesDownloadHeaders(String exposed) {
        assertThat(exposed).contains(HttpHeaders.CONTENT_LENGTH, HttpHeaders.CONTENT_RANGE, HttpHeaders.ETAG,
                HttpHeaders.CONTENT_DISPOSITION);
    }
}
