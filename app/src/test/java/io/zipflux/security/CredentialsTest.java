package io.zipflux.security;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.autoconfigure.actuate.observability.AutoConfigureObservability;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.core.env.Environment;
import org.springframework.http.HttpMethod;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.EntityExchangeResult;
import org.springframework.test.web.reactive.server.WebTestClient;

import io.zipflux.system.DatabaseMigrations;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Credentials on every route: 401 without one or with a bad or revoked one, 403 for a client on key
 * management, the open routes open, keys stored hashed and managed by admins over the API.
 */
@AutoConfigureObservability
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT, properties = {
        "zipflux.archive.photos-dir=${java.io.tmpdir}/zipflux-test-photos",
        "zipflux.data-dir=${java.io.tmpdir}/zipflux-test-data-credentials",
})
class CredentialsTest {

    private static final String ANY_ID = "00000000-0000-0000-0000-000000000001";

    /** Every API route, as (method, path); {@link #theRouteListIsTheApiDescriptions} keeps it complete. */
    static Stream<Arguments> apiRoutes() {
        return Stream.of(
                Arguments.of("GET", "/api/v1/jobs"),
                Arguments.of("GET", "/api/v1/jobs/" + ANY_ID),
                Arguments.of("GET", "/api/v1/jobs/" + ANY_ID + "/events"),
                Arguments.of("POST", "/api/v1/jobs/" + ANY_ID + "/cancel"),
                Arguments.of("POST", "/api/v1/files"),
                Arguments.of("GET", "/api/v1/files/" + ANY_ID + "/hash"),
                Arguments.of("POST", "/api/v1/exports"),
                Arguments.of("GET", "/api/v1/exports/" + ANY_ID + "/download"),
                Arguments.of("GET", "/api/v1/responses.csv"),
                Arguments.of("POST", "/api/v1/imports"),
                Arguments.of("PUT", "/api/v1/imports/" + ANY_ID),
                Arguments.of("POST", "/api/v1/archives"),
                Arguments.of("GET", "/api/v1/archives/" + ANY_ID + "/download"),
                Arguments.of("HEAD", "/api/v1/archives/" + ANY_ID + "/download"),
                Arguments.of("POST", "/api/v1/links"),
                Arguments.of("POST", "/api/v1/keys"),
                Arguments.of("GET", "/api/v1/keys"),
                Arguments.of("DELETE", "/api/v1/keys/someone"),
                Arguments.of("GET", "/actuator/prometheus"));
    }

    @Autowired
    private WebTestClient web;

    @Autowired
    private Environment environment;

    private String admin;

    @BeforeEach
    void keys() {
        admin = TestKeys.admin(environment, "credentials-admin");
        // A loaded machine (the suite runs beside other work) can take seconds for a request.
        web = web.mutate().responseTimeout(Duration.ofSeconds(30)).build();
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("apiRoutes")
    void withoutACredentialTheAnswerIs401WithBearerChallenge(String method, String path) {
        EntityExchangeResult<byte[]> answer = web.method(HttpMethod.valueOf(method)).uri(path)
                .exchange()
                .expectStatus().isUnauthorized()
                .expectHeader().valueEquals("WWW-Authenticate", "Bearer")
                .expectBody().returnResult();
        if (!method.equals("HEAD")) {
            assertThat(answer.getResponseHeaders().getContentType()).hasToString("application/problem+json");
            assertThat(new String(answer.getResponseBody())).contains("Authorization: Bearer");
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("apiRoutes")
    void aRevokedKeyIs401WithInvalidToken(String method, String path) {
        String key = TestKeys.client(environment, "revoked-for-routes");
        web.delete().uri("/api/v1/keys/revoked-for-routes").headers(bearer(admin)).exchange().expectStatus().isOk();
        awaitRefused(key);

        web.method(HttpMethod.valueOf(method)).uri(path).headers(bearer(key))
                .exchange()
                .expectStatus().isUnauthorized()
                .expectHeader().value("WWW-Authenticate", challenge -> assertThat(challenge)
                        .startsWith("Bearer error=\"invalid_token\"").contains("unknown or revoked"));
    }

    @Test
    void theRouteListIsTheApiDescriptions() {
        JsonNode paths = web.get().uri("/v3/api-docs").exchange()
                .expectStatus().isOk()
                .expectBody(JsonNode.class).returnResult().getResponseBody().get("paths");
        Set<String> described = new TreeSet<>();
        for (Map.Entry<String, JsonNode> path : paths.properties()) {
            if (!path.getKey().startsWith("/api/")) {
                continue;
            }
            path.getValue().fieldNames().forEachRemaining(method -> described.add(method.toUpperCase() + " "
                    + path.getKey().replaceAll("\\{[^}]+}", "{}")));
        }
        Set<String> tested = new TreeSet<>();
        apiRoutes().forEach(route -> tested.add(route.get()[0] + " " + ((String) route.get()[1])
                .replace(ANY_ID, "{}").replace("/someone", "/{}").replaceAll("/(pause|resume|cancel)$", "/{}")));
        tested.remove("GET /actuator/prometheus");
        assertThat(tested).isEqualTo(described);
    }

    @Test
    void revocationIsSeenWithinASecondEvenWhenAnotherInstanceRevokes() throws Exception {
        String key = TestKeys.client(environment, "revoked-elsewhere");
        web.get().uri("/api/v1/jobs").headers(bearer(key)).exchange().expectStatus().isOk();
        web.get().uri("/api/v1/jobs").headers(bearer(key)).exchange().expectStatus().isOk();

        // Straight in the table, as another instance (or the keys command) would: this instance's cache is not told.
        try (Connection db = database(); Statement statement = db.createStatement()) {
            statement.executeUpdate("UPDATE api_keys SET revoked = true, revoked_at = now() WHERE name = 'revoked-elsewhere'");
        }
        long revokedAt = System.nanoTime();
        // Whatever the machine's load does to the requests' own time, a request sent a second after the
        // revocation must find it: no cached answer is older than that.
        Thread.sleep(Math.max(0, 1000 - Duration.ofNanos(System.nanoTime() - revokedAt).toMillis()));
        web.get().uri("/api/v1/jobs").headers(bearer(key)).exchange().expectStatus().isUnauthorized();
    }

    @Test
    void aClientKeyIsRefusedKeyManagementWith403() {
        String client = TestKeys.client(environment, "not-an-admin");
        for (WebTestClient.RequestHeadersSpec<?> request : List.of(web.get().uri("/api/v1/keys"),
                web.post().uri("/api/v1/keys").contentType(MediaType.APPLICATION_JSON).bodyValue("{\"name\":\"x\"}"),
                web.delete().uri("/api/v1/keys/credentials-admin"))) {
            EntityExchangeResult<byte[]> answer = request.headers(bearer(client)).exchange()
                    .expectStatus().isForbidden()
                    .expectBody().returnResult();
            assertThat(answer.getResponseHeaders().getContentType()).hasToString("application/problem+json");
            assertThat(new String(answer.getResponseBody())).contains("for admins");
        }
        web.get().uri("/api/v1/jobs").headers(bearer(client)).exchange().expectStatus().isOk();
    }

    @Test
    void adminsCreateListAndRevokeKeysAndTheKeyIsShownOnceAndStoredHashed() throws Exception {
        JsonNode created = web.post().uri("/api/v1/keys").headers(bearer(admin))
                .contentType(MediaType.APPLICATION_JSON).bodyValue("{\"name\": \"made-by-admin\", \"role\": \"client\"}")
                .exchange()
                .expectStatus().isCreated()
                .expectBody(JsonNode.class).returnResult().getResponseBody();
        String key = created.get("key").asText();
        assertThat(key).startsWith("zf_").hasSize(46);
        assertThat(created.get("role").asText()).isEqualTo("client");
        web.get().uri("/api/v1/jobs").headers(bearer(key)).exchange().expectStatus().isOk();

        String listed = web.get().uri("/api/v1/keys").headers(bearer(admin)).exchange()
                .expectStatus().isOk()
                .expectBody(String.class).returnResult().getResponseBody();
        assertThat(listed).contains("\"name\":\"made-by-admin\"", "\"revoked\":false").doesNotContain(key)
                .doesNotContain(key.substring(3));
        assertThat(tableText()).doesNotContain(key).doesNotContain(key.substring(3));

        web.post().uri("/api/v1/keys").headers(bearer(admin)).contentType(MediaType.APPLICATION_JSON)
                .bodyValue("{\"name\": \"made-by-admin\"}").exchange().expectStatus().isEqualTo(409);
        web.delete().uri("/api/v1/keys/made-by-admin").headers(bearer(admin)).exchange()
                .expectStatus().isOk()
                .expectBody().jsonPath("$.revoked").isEqualTo(true);
        awaitRefused(key);
        web.delete().uri("/api/v1/keys/never-made").headers(bearer(admin)).exchange().expectStatus().isNotFound();
    }

    @Test
    void badKeyRequestsAre400NamingTheProblem() {
        for (String body : List.of("{\"name\": \"has space\"}", "{\"name\": \"ok\", \"role\": \"root\"}", "{}", "[1]")) {
            web.post().uri("/api/v1/keys").headers(bearer(admin)).contentType(MediaType.APPLICATION_JSON).bodyValue(body)
                    .exchange()
                    .expectStatus().isBadRequest()
                    .expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON);
        }
    }

    @Test
    void otherSchemesAndMalformedOrForeignTokensAre401() {
        web.get().uri("/api/v1/jobs").header("Authorization", "Basic YWRtaW46YWRtaW4=").exchange()
                .expectStatus().isUnauthorized()
                .expectHeader().valueEquals("WWW-Authenticate", "Bearer")
                .expectBody().jsonPath("$.detail").value(detail -> assertThat((String) detail).contains("Only bearer"));
        web.get().uri("/api/v1/jobs").header("Authorization", "Bearer not a token!").exchange()
                .expectStatus().isUnauthorized()
                .expectHeader().value("WWW-Authenticate", challenge -> assertThat(challenge).contains("invalid_token"));
        web.get().uri("/api/v1/jobs").headers(bearer("eyJhbGciOiJSUzI1NiJ9.e30.c2ln")).exchange()
                .expectStatus().isUnauthorized()
                .expectBody().jsonPath("$.detail").value(detail -> assertThat((String) detail)
                        .contains("no identity provider is configured"));
        web.get().uri("/api/v1/jobs").headers(bearer("zf_" + "A".repeat(43))).exchange()
                .expectStatus().isUnauthorized();
    }

    @Test
    void openRoutesNeedNoCredential() {
        for (String path : List.of("/", "/docs", "/v3/api-docs", "/actuator/health", "/actuator/health/liveness",
                "/actuator/health/readiness", "/archive/no-such-folder/")) {
            web.get().uri(path).exchange()
                    .expectStatus().value(status -> assertThat(status).as(path).isNotIn(401, 403));
        }
    }

    @Test
    void healthDetailsAndMetricsNeedACredential() {
        String open = web.get().uri("/actuator/health").exchange()
                .expectStatus().isOk()
                .expectBody(String.class).returnResult().getResponseBody();
        assertThat(open).contains("\"components\"").doesNotContain("\"details\"");

        String detailed = web.get().uri("/actuator/health").headers(bearer(TestKeys.client(environment, "operator")))
                .exchange()
                .expectStatus().isOk()
                .expectBody(String.class).returnResult().getResponseBody();
        assertThat(detailed).contains("\"details\"");

        web.get().uri("/actuator/prometheus").exchange().expectStatus().isUnauthorized();
        web.get().uri("/actuator/prometheus").headers(bearer(admin)).exchange()
                .expectStatus().isOk()
                .expectBody(String.class).value(text -> assertThat(text).contains("jvm_memory_used_bytes"));
    }

    @Test
    void noAnswerSetsACookieSoACrossSitePageHasNothingToSend() {
        String key = TestKeys.client(environment, "cookie-check");
        for (String path : List.of("/", "/api/v1/jobs", "/actuator/health", "/docs", "/archive/no-such-folder/")) {
            web.get().uri(path).headers(bearer(key)).exchange().expectHeader().doesNotExist("Set-Cookie");
            web.get().uri(path).exchange().expectHeader().doesNotExist("Set-Cookie");
        }
        // What a page on another origin can send: no credential, so the state-changing request is refused.
        web.post().uri("/api/v1/exports").header("Origin", "https://evil.example").exchange()
                .expectStatus().isUnauthorized()
                .expectHeader().doesNotExist("Access-Control-Allow-Origin");
        web.options().uri("/api/v1/exports").header("Origin", "https://evil.example")
                .header("Access-Control-Request-Method", "POST")
                .header("Access-Control-Request-Headers", "authorization")
                .exchange()
                .expectStatus().isForbidden()
                .expectHeader().doesNotExist("Access-Control-Allow-Origin");
    }

    @Test
    void theApiDescriptionOffersABearerCredential() {
        web.get().uri("/v3/api-docs").exchange()
                .expectStatus().isOk()
                .expectBody()
                .jsonPath("$.components.securitySchemes.bearer.scheme").isEqualTo("bearer")
                .jsonPath("$.security[0].bearer").exists();
    }

    /** Waits (ten seconds at most: requests can be slow on a loaded machine) until {@code key} is refused. */
    private void awaitRefused(String key) {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        List<Integer> seen = new ArrayList<>();
        while (true) {
            int status = web.get().uri("/api/v1/jobs").headers(bearer(key)).exchange()
                    .expectBody().returnResult().getStatus().value();
            seen.add(status);
            if (status == 401) {
                return;
            }
            assertThat(System.nanoTime()).as("answers to a revoked key: %s", seen).isLessThan(deadline);
        }
    }

    private String tableText() throws Exception {
        StringBuilder text = new StringBuilder();
        try (Connection db = database(); Statement statement = db.createStatement();
             ResultSet rows = statement.executeQuery("SELECT api_keys::text FROM api_keys")) {
            while (rows.next()) {
                text.append(rows.getString(1)).append('\n');
            }
        }
        return text.toString();
    }

    private Connection database() throws Exception {
        return DriverManager.getConnection(DatabaseMigrations.jdbcUrlOf(environment.getRequiredProperty("spring.r2dbc.url")),
                environment.getRequiredProperty("spring.r2dbc.username"), environment.getRequiredProperty("spring.r2dbc.password"));
    }

    static java.util.function.Consumer<org.springframework.http.HttpHeaders> bearer(String key) {
        return headers -> headers.setBearerAuth(key);
    }
}
