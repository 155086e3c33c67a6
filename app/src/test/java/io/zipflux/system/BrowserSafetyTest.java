package io.zipflux.system;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.autoconfigure.actuate.observability.AutoConfigureObservability;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.core.env.Environment;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.EntityExchangeResult;
import org.springframework.test.web.reactive.server.WebTestClient;

import io.zipflux.security.TestKeys;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What a browser (or a curious visitor) meets, over real HTTP with the default settings: hardening headers on
 * every kind of HTML page, a /docs UI that still loads under its policy, only three actuator endpoints and no
 * health details, CORS closed, and error answers that name no class, stack frame or local path.
 */
@AutoConfigureObservability
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT, properties = {
        "zipflux.archive.photos-dir=${java.io.tmpdir}/zipflux-test-photos",
        "zipflux.archive.chunk-size=16KB",
})
class BrowserSafetyTest {

    private WebTestClient web;

    @Autowired
    private Environment environment;

    /** This test's own client key, for the routes that need a credential. */
    private String key;

    @BeforeEach
    void clientKey() {
        key = TestKeys.client(environment, "browser-safety");
    }

    /** A first request on a loaded 2-core machine can pass the default 5 s while the context warms up. */
    @Autowired
    void client(WebTestClient client) {
        web = client.mutate().responseTimeout(Duration.ofSeconds(30)).build();
    }

    @Test
    void landingPageSendsTheHardeningHeadersAndNeedsNoInlineStyleOrScript() {
        EntityExchangeResult<String> page = web.get().uri("/").accept(MediaType.TEXT_HTML).exchange()
                .expectStatus().isOk()
                .expectBody(String.class).returnResult();

        assertHardened(page.getResponseHeaders(), SecurityHeaders.PAGE_POLICY);
        assertThat(page.getResponseBody()).doesNotContain("<style", "<script", "style=")
                .contains("<link rel=\"stylesheet\" href=\"/zipflux.css\">");
        web.get().uri("/zipflux.css").exchange()
                .expectStatus().isOk()
                .expectHeader().contentTypeCompatibleWith("text/css")
                .expectHeader().valueEquals("X-Content-Type-Options", "nosniff");
    }

    @Test
    void htmlErrorPagesSendTheHardeningHeaders() {
        for (String path : List.of("/nothing-here", "/archive/no-such-hash/", "/api/v1/jobs/not-a-uuid")) {
            EntityExchangeResult<String> page = web.get().uri(path).headers(this::withKey).accept(MediaType.TEXT_HTML).exchange()
                    .expectStatus().isNotFound()
                    .expectHeader().contentTypeCompatibleWith(MediaType.TEXT_HTML)
                    .expectBody(String.class).returnResult();

            assertHardened(page.getResponseHeaders(), SecurityHeaders.PAGE_POLICY);
            assertThat(page.getResponseBody()).as(path).contains("<h1>").doesNotContain("<script", "<style");
        }
    }

    @Test
    void docsUiLoadsWithItsOwnScriptsAndStylesUnderItsPolicy() {
        String location = web.get().uri("/docs").exchange()
                .expectStatus().is3xxRedirection()
                .expectBody().returnResult().getResponseHeaders().getLocation().toString();
        EntityExchangeResult<String> index = web.get().uri(location).exchange()
                .expectStatus().isOk()
                .expectHeader().contentTypeCompatibleWith(MediaType.TEXT_HTML)
                .expectBody(String.class).returnResult();

        assertThat(location).endsWith("/swagger-ui/index.html");
        assertHardened(index.getResponseHeaders(), SecurityHeaders.DOCS_POLICY);
        String html = index.getResponseBody();
        Matcher scripts = Pattern.compile("<script([^>]*)>").matcher(html);
        int count = 0;
        while (scripts.find()) {
            assertThat(scripts.group(1)).as("every script is a file of this origin (no inline script)")
                    .containsPattern("src=\"\\./[\\w.-]+\\.js\"");
            count++;
        }
        assertThat(count).isEqualTo(3);
        assertThat(html).doesNotContain("<style");
        String base = location.substring(0, location.lastIndexOf('/') + 1);
        assertLoads(base + "swagger-initializer.js", "javascript", "/v3/api-docs");
        assertLoads(base + "swagger-ui-bundle.js", "javascript", "SwaggerUIBundle");
        assertLoads(base + "swagger-ui-standalone-preset.js", "javascript", "SwaggerUIStandalonePreset");
        assertLoads(base + "swagger-ui.css", "text/css", ".swagger-ui");
        assertLoads(base + "index.css", "text/css", "");
        web.get().uri("/v3/api-docs/swagger-config").exchange()
                .expectStatus().isOk()
                .expectHeader().contentTypeCompatibleWith(MediaType.APPLICATION_JSON);
    }

    @Test
    void nonHtmlAnswersAreNosniffWithoutPagePolicies() {
        for (String path : List.of("/actuator/health", "/api/v1/jobs/not-a-uuid", "/v3/api-docs")) {
            HttpHeaders headers = web.get().uri(path).headers(this::withKey).exchange()
                    .expectBody(String.class).returnResult().getResponseHeaders();

            assertThat(headers.getFirst("X-Content-Type-Options")).as(path).isEqualTo("nosniff");
            assertThat(headers.getContentType().isCompatibleWith(MediaType.TEXT_HTML)).as(path).isFalse();
            assertThat(headers.containsKey("Content-Security-Policy")).as(path).isFalse();
        }
    }

    @Test
    void onlyHealthInfoAndPrometheusActuatorEndpointsExist() {
        for (String path : List.of("/actuator/health", "/actuator/health/liveness", "/actuator/info", "/actuator/prometheus")) {
            web.get().uri(path).headers(this::withKey).exchange().expectStatus().isOk();
        }
        for (String path : List.of("/actuator/env", "/actuator/beans", "/actuator/heapdump", "/actuator/threaddump",
                "/actuator/configprops", "/actuator/loggers", "/actuator/mappings", "/actuator/metrics",
                "/actuator/shutdown", "/actuator/scheduledtasks")) {
            assertThat(web.get().uri(path).exchange().expectBody(String.class).returnResult().getStatus().value()).as(path).isEqualTo(404);
        }
        web.post().uri("/actuator/shutdown").exchange().expectStatus().isNotFound();
    }

    @Test
    void healthShowsComponentsStatusButNoDetails() {
        String health = web.get().uri("/actuator/health").exchange()
                .expectStatus().isOk()
                .expectBody()
                .jsonPath("$.status").isEqualTo("UP")
                .jsonPath("$.components.r2dbc.status").isEqualTo("UP")
                .jsonPath("$.components.kafka.status").isEqualTo("UP")
                .returnResult().toString();

        String body = health.substring(health.indexOf('{'));
        assertThat(body).doesNotContain("\"details\"", "PostgreSQL", "/tmp", "total", "free");
        web.get().uri("/actuator/health/readiness").exchange()
                .expectStatus().isOk()
                .expectBody().jsonPath("$.status").isEqualTo("UP");
    }

    @Test
    void aPreflightFromAnotherOriginIsRefusedByDefault() {
        for (String path : List.of("/api/v1/exports", "/api/v1/jobs", "/archive/sample/")) {
            HttpHeaders headers = web.options().uri(path)
                    .header(HttpHeaders.ORIGIN, "https://elsewhere.example")
                    .header(HttpHeaders.ACCESS_CONTROL_REQUEST_METHOD, "POST".equals(method(path)) ? "POST" : "GET")
                    .exchange()
                    .expectStatus().isForbidden()
                    .expectBody(String.class).returnResult().getResponseHeaders();

            assertThat(headers.containsKey(HttpHeaders.ACCESS_CONTROL_ALLOW_ORIGIN)).as(path).isFalse();
        }
        HttpHeaders simple = web.get().uri("/api/v1/jobs").headers(this::withKey).header(HttpHeaders.ORIGIN, "https://elsewhere.example")
                .exchange()
                .expectBody(String.class).returnResult().getResponseHeaders();
        assertThat(simple.containsKey(HttpHeaders.ACCESS_CONTROL_ALLOW_ORIGIN)).as("a browser may not read it").isFalse();
    }

    @Test
    void badInputAnswersNameNoClassStackFrameOrLocalPath() {
        String dataDir = Path.of("data").toAbsolutePath().toString();
        List<EntityExchangeResult<String>> answers = List.of(
                exchange(HttpMethod.POST, "/api/v1/archives", MediaType.APPLICATION_JSON, "{not json"),
                exchange(HttpMethod.POST, "/api/v1/archives", MediaType.APPLICATION_JSON, "[1, 2]"),
                exchange(HttpMethod.POST, "/api/v1/archives", MediaType.APPLICATION_JSON, "{\"urls\": 7}"),
                exchange(HttpMethod.POST, "/api/v1/archives", MediaType.TEXT_PLAIN, "hello"),
                exchange(HttpMethod.POST, "/api/v1/files", MediaType.APPLICATION_JSON, "{}"),
                exchange(HttpMethod.POST, "/api/v1/files", MediaType.MULTIPART_FORM_DATA, "--x--"),
                exchange(HttpMethod.PUT, "/api/v1/imports/not-a-uuid", MediaType.parseMediaType("text/csv"), "a,b\n"),
                exchange(HttpMethod.POST, "/api/v1/imports?ids=sometimes", null, null),
                exchange(HttpMethod.GET, "/api/v1/jobs?limit=many&state=ASLEEP", null, null),
                exchange(HttpMethod.GET, "/archive/%2e%2e/%2e%2e/etc/", null, null),
                exchange(HttpMethod.GET, "/archive/sample/?compression=lzma", null, null),
                exchange(HttpMethod.DELETE, "/api/v1/jobs", null, null));

        for (EntityExchangeResult<String> answer : answers) {
            String body = answer.getResponseBody();
            assertThat(answer.getStatus().is4xxClientError()).as(answer.getUrl() + ": " + body).isTrue();
            assertThat(answer.getResponseHeaders().getContentType()).isEqualTo(MediaType.APPLICATION_PROBLEM_JSON);
            assertThat(body).as(answer.getMethod() + " " + answer.getUrl())
                    .contains("\"status\"")
                    .doesNotContain("Exception", "at io.", "at java.", "io.zipflux", "java.", "reactor.", "/tmp/", dataDir);
        }
    }

    private static String method(String path) {
        return path.equals("/api/v1/exports") ? "POST" : "GET";
    }

    private EntityExchangeResult<String> exchange(HttpMethod method, String path, MediaType type, String body) {
        WebTestClient.RequestBodySpec request = web.method(method).uri(path).headers(this::withKey);
        if (type != null) {
            request.contentType(type);
        }
        return (body == null ? request : request.bodyValue(body)).exchange()
                .expectBody(String.class).returnResult();
    }

    private void withKey(HttpHeaders headers) {
        headers.setBearerAuth(key);
    }

    private void assertLoads(String path, String type, String content) {
        EntityExchangeResult<String> file = web.mutate()
                .codecs(codecs -> codecs.defaultCodecs().maxInMemorySize(16 << 20))
                .build()
                .get().uri(path).exchange()
                .expectStatus().isOk()
                .expectBody(String.class).returnResult();

        assertThat(file.getResponseHeaders().getContentType().toString()).as(path).contains(type);
        assertThat(file.getResponseHeaders().getFirst("X-Content-Type-Options")).isEqualTo("nosniff");
        assertThat(file.getResponseBody()).as(path).contains(content);
    }

    private static void assertHardened(HttpHeaders headers, String policy) {
        assertThat(headers.getFirst("X-Content-Type-Options")).isEqualTo("nosniff");
        assertThat(headers.getFirst("Content-Security-Policy")).isEqualTo(policy).contains("frame-ancestors 'none'");
        assertThat(headers.getFirst("Referrer-Policy")).isEqualTo("no-referrer");
        assertThat(headers.getFirst("X-Frame-Options")).isEqualTo("DENY");
    }
}
