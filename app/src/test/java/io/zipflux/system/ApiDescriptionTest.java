package io.zipflux.system;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;

import javax.xml.parsers.DocumentBuilderFactory;

import com.fasterxml.jackson.databind.JsonNode;
import io.swagger.v3.parser.OpenAPIV3Parser;
import io.swagger.v3.parser.core.models.ParseOptions;
import io.swagger.v3.parser.core.models.SwaggerParseResult;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Element;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.context.ApplicationContext;
import org.springframework.test.web.reactive.server.WebTestClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The OpenAPI description at {@code /v3/api-docs}: named and versioned by the build, tagged by feature, with the
 * shared schemas, every route the routers have and every status each can answer ({@link ApiAnswersTest} checks them
 * against real answers), and valid for an OpenAPI parser apart from springdoc.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT, properties = {
        "zipflux.archive.photos-dir=${java.io.tmpdir}/zipflux-test-photos-api",
        "zipflux.data-dir=${java.io.tmpdir}/zipflux-test-data-api",
        "zipflux.security.max-active-jobs=1",
})  // the properties of ApiAnswersTest too: one application context for both
class ApiDescriptionTest {

    @Autowired
    private WebTestClient web;

    @Autowired
    private ApplicationContext context;

    private JsonNode api;

    private ApiDocument document;

    @BeforeEach
    void description() {
        document = ApiDocument.of(web.mutate().responseTimeout(Duration.ofSeconds(30)).build());
        api = document.json();
    }

    private Map<String, JsonNode> operations() {
        return document.operations();
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
        operations().forEach((route, operation) -> described.put(route, ApiDocument.statuses(operation)));
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
        assertThat(ApiDocument.names(schemas.get("Problem").get("properties")))
                .containsExactlyInAnyOrder("type", "title", "status", "detail", "instance", "requestId");
        assertThat(ApiDocument.names(schemas.get("Job").get("properties")))
                .containsExactlyInAnyOrder("id", "type", "owner", "state", "progress", "createdAt", "updatedAt", "error",
                        "result", "callback");
        assertThat(ApiDocument.names(schemas.get("FileHash").get("properties")))
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
        SwaggerParseResult parsed = new OpenAPIV3Parser().readContents(ApiDocument.text(api), null, options);
        assertThat(parsed.getMessages()).isEmpty();
        assertThat(parsed.getOpenAPI().getPaths()).hasSize(api.get("paths").size());
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

}
