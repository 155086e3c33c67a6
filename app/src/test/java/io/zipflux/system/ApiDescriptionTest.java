package io.zipflux.system;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.stream.Collectors;

import javax.xml.parsers.DocumentBuilderFactory;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.swagger.v3.parser.OpenAPIV3Parser;
import io.swagger.v3.parser.core.models.ParseOptions;
import io.swagger.v3.parser.core.models.SwaggerParseResult;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Element;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.context.ApplicationContext;
import org.springframework.core.env.Environment;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.EntityExchangeResult;
import org.springframework.test.web.reactive.server.WebTestClient;

import io.zipflux.security.TestKeys;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The OpenAPI description at {@code /v3/api-docs}: named and versioned by the build, tagged by feature, with the
 * shared schemas, every route the routers have and every status each can answer (checked against answers to real
 * requests), and valid for an OpenAPI parser apart from springdoc.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT, properties = {
        "zipflux.archive.photos-dir=${java.io.tmpdir}/zipflux-test-photos-api",
        "zipflux.data-dir=${java.io.tmpdir}/zipflux-test-data-api",
        "zipflux.security.max-active-jobs=1",
})
class ApiDescriptionTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static final String ALBUM = "api-album";

    @Autowired
    private WebTestClient web;

    @Autowired
    private Environment environment;

    @Autowired
    private ApplicationContext context;

    private JsonNode api;

    @BeforeAll
    static void album() throws Exception {
        Path folder = Files.createDirectories(Path.of(System.getProperty("java.io.tmpdir"), "zipflux-test-photos-api", ALBUM));
        Files.writeString(folder.resolve("photo.txt"), "not really a photo");
    }

    @BeforeEach
    void description() {
        web = web.mutate().responseTimeout(Duration.ofSeconds(30)).build();
        api = web.get().uri("/v3/api-docs").exchange()
                .expectStatus().isOk()
                .expectBody(JsonNode.class).returnResult().getResponseBody();
        try { Files.writeString(Path.of("/tmp/tmp-openapi/api-docs.json"), api.toPrettyString()); } catch (Exception e) { } // DEBUG
    }

    @Test
    void theDescriptionIsNamedAndVersionedByTheBuild() throws Exception {
        assertThat(api.at("/info/title").asText()).isEqualTo("zipflux");
        assertThat(api.at("/info/version").asText()).isEqualTo(pomVersion());
        assertThat(api.at("/info/description").asText()).contains("zip", "Bearer", "problem+json", "Idempotency-Key",
                "zipflux.http.cors-origins");
    }

    @Test
    void operationsAreTaggedByFeatureNotByHandler() {
        Set<String> declared = new TreeSet<>();
        api.get("tags").forEach(tag -> declared.add(tag.get("name").asText()));
        assertThat(declared).containsExactlyInAnyOrder("Archives", "Jobs", "Files", "Exports", "Imports", "URL archives",
                "Links", "Keys");
        operations().forEach((route, operation) -> assertThat(operation.get("tags")).as(route).hasSize(1)
                .allSatisfy(tag -> assertThat(declared).contains(tag.asText())));
    }

    @Test
    void everyRouteOfTheRoutersIsDescribedWithEveryStatusItCanAnswer() {
        Set<String> routed = RoutedPaths.of(context).stream()
                .filter(route -> route.contains(" /api/") || route.contains(" /archive/"))
                .collect(Collectors.toCollection(TreeSet::new));
        assertThat(operations().keySet()).isEqualTo(routed).isEqualTo(AnswerableStatuses.BY_ROUTE.keySet());
        Map<String, Set<Integer>> described = new TreeMap<>();
        operations().forEach((route, operation) -> described.put(route, statuses(operation)));
        assertThat(described).isEqualTo(new TreeMap<>(AnswerableStatuses.BY_ROUTE));
    }

    @Test
    void jobCreatingPostsTakeAnIdempotencyKeyAndSayWhenToRetry() {
        operations().forEach((route, operation) -> {
            Set<String> headers = new HashSet<>();
            operation.path("parameters").forEach(parameter -> {
                if (parameter.get("in").asText().equals("header")) {
                    headers.add(parameter.get("name").asText());
                }
            });
            boolean creates = CommonAnswers.JOB_CREATING.contains(route);
            assertThat(headers.contains("Idempotency-Key")).as(route).isEqualTo(creates);
            assertThat(operation.at("/responses/429").isMissingNode()).as(route).isEqualTo(!creates);
            for (String status : new String[] {"429", "503"}) {
                if (operation.at("/responses/" + status).isObject()) {
                    assertThat(operation.at("/responses/" + status + "/headers/Retry-After").isObject()).as(route).isTrue();
                }
            }
        });
        assertThat(CommonAnswers.JOB_CREATING).hasSize(4).allSatisfy(route -> assertThat(operations()).containsKey(route));
    }

    @Test
    void archivesAreOpenAndTheApiNeedsABearerCredential() {
        assertThat(api.at("/components/securitySchemes/bearer/scheme").asText()).isEqualTo("bearer");
        assertThat(api.at("/security/0/bearer").isArray()).isTrue();
        operations().forEach((route, operation) -> {
            boolean open = route.contains(" /archive/");
            assertThat(operation.has("security") && operation.get("security").isEmpty()).as(route).isEqualTo(open);
            assertThat(operation.at("/responses/401").isObject()).as(route).isEqualTo(!open);
        });
    }

    @Test
    void schemasDescribeJobsHashesProblemsAndEveryRequestBody() {
        JsonNode schemas = api.at("/components/schemas");
        assertThat(names(schemas.get("Problem").get("properties")))
                .containsExactlyInAnyOrder("type", "title", "status", "detail", "instance", "requestId");
        assertThat(names(schemas.get("Job").get("properties")))
                .containsExactlyInAnyOrder("id", "type", "owner", "state", "progress", "createdAt", "updatedAt", "error",
                        "result", "callback");
        assertThat(names(schemas.get("FileHash").get("properties")))
                .contains("id", "status", "md5", "sha256", "size");
        operations().forEach((route, operation) -> {
            if (operation.has("requestBody")) {
                operation.at("/requestBody/content").forEach(media -> assertThat(media.has("schema")
                        && (media.get("schema").has("$ref") || media.get("schema").has("type")))
                        .as("%s: a named or typed body schema in %s", route, media).isTrue());
            }
        });
        for (String body : new String[] {"MultipartFile", "UrlArchiveRequest", "LinkRequest", "KeyRequest"}) {
            assertThat(schemas.has(body)).as(body).isTrue();
        }
    }

    @Test
    void everyErrorWithABodyIsAProblemOrNamesItsBody() {
        operations().forEach((route, operation) -> operation.get("responses").properties().forEach(answer -> {
            boolean error = answer.getKey().startsWith("4") || answer.getKey().startsWith("5");
            if (!error || route.startsWith("HEAD ") || answer.getKey().equals("416")) {
                return;
            }
            JsonNode content = answer.getValue().get("content");
            assertThat(content).as(route + " " + answer.getKey()).isNotNull();
            if (content.has("application/problem+json")) {
                assertThat(content.at("/application~1problem+json/schema/$ref").asText())
                        .isEqualTo("#/components/schemas/Problem");
            }
            else {
                // The fixed exceptions: the hash contract's INVALID_ID, and an import's ended job.
                assertThat(route + " " + answer.getKey()).isIn("GET /api/v1/files/{id}/hash 404",
                        "POST /api/v1/imports 409", "PUT /api/v1/imports/{id} 422");
            }
        }));
    }

    @Test
    void anIndependentParserFindsNothingWrong() throws Exception {
        ParseOptions options = new ParseOptions();
        options.setResolve(true);
        SwaggerParseResult parsed = new OpenAPIV3Parser().readContents(JSON.writeValueAsString(api), null, options);
        assertThat(parsed.getMessages()).isEmpty();
        assertThat(parsed.getOpenAPI().getPaths()).hasSize(api.get("paths").size());
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
        assertThat(names(read(unknownFile))).isSubsetOf(names(api.at("/components/schemas/FileHash/properties")));

        // This client may have one active job: a created import waits for its data, so the next one is refused.
        String limited = TestKeys.client(environment, "api-description-limited");
        EntityExchangeResult<byte[]> created = web.post().uri("/api/v1/imports").headers(bearer(limited)).exchange()
                .expectStatus().isCreated().expectBody().returnResult();
        proves("POST /api/v1/imports", created);
        assertThat(names(read(created))).isEqualTo(names(api.at("/components/schemas/Job/properties")));
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
        JsonNode operation = operations().get(route);
        String status = String.valueOf(answer.getStatus().value());
        assertThat(statuses(operation)).as(route).contains(answer.getStatus().value());
        JsonNode content = operation.at("/responses/" + status + "/content");
        MediaType type = answer.getResponseHeaders().getContentType();
        if (content.isMissingNode() || route.startsWith("HEAD ") || answer.getResponseBody() == null) {
            assertThat(answer.getResponseBody()).as(route + " " + status + " has no body").isNullOrEmpty();
            return;
        }
        assertThat(names(content)).as(route + " " + status).anySatisfy(described ->
                assertThat(MediaType.parseMediaType(described).isCompatibleWith(type)).isTrue());
        if (MediaType.APPLICATION_PROBLEM_JSON.isCompatibleWith(type)) {
            // Problems may add members of their own (the schema allows them); the standard ones are as described.
            JsonNode problem = read(answer);
            assertThat(problem.get("status").asInt()).isEqualTo(answer.getStatus().value());
            assertThat(problem.get("title").isTextual()).isTrue();
            assertThat(api.at("/components/schemas/Problem/additionalProperties").asBoolean()).isTrue();
        }
    }

    /** Every described operation, as "METHOD /path" (a trailing slash dropped, as {@link RoutedPaths} does). */
    private Map<String, JsonNode> operations() {
        Map<String, JsonNode> operations = new TreeMap<>();
        api.get("paths").properties().forEach(path -> path.getValue().properties().forEach(operation -> operations.put(
                operation.getKey().toUpperCase() + " " + path.getKey().replaceAll("(.)/$", "$1"), operation.getValue())));
        return operations;
    }

    private static Set<Integer> statuses(JsonNode operation) {
        return names(operation.get("responses")).stream().map(Integer::valueOf).collect(Collectors.toCollection(TreeSet::new));
    }

    private static Set<String> names(JsonNode node) {
        Set<String> names = new HashSet<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }

    private static JsonNode read(EntityExchangeResult<byte[]> answer) {
        try {
            return JSON.readTree(answer.getResponseBody());
        }
        catch (java.io.IOException ex) {
            throw new java.io.UncheckedIOException(ex);
        }
    }

    /** The version in app/pom.xml (its own, else its parent's), the one Maven builds. */
    private static String pomVersion() throws Exception {
        Element project = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(Path.of("pom.xml").toFile())
                .getDocumentElement();
        for (int i = 0; i < project.getChildNodes().getLength(); i++) {
            if (project.getChildNodes().item(i) instanceof Element child && child.getTagName().equals("version")) {
                return child.getTextContent().trim();
            }
        }
        return ((Element) project.getElementsByTagName("parent").item(0)).getElementsByTagName("version").item(0)
                .getTextContent().trim();
    }

    private static Consumer<HttpHeaders> bearer(String key) {
        return headers -> headers.setBearerAuth(key);
    }
}
