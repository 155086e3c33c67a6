package io.zipflux.system;

import java.nio.file.Path;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.web.reactive.server.WebTestClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Structured logs ({@code logging.structured.format.console=ecs}, as the README documents): one JSON object a line,
 * the request id a field of its own, on lines written inside a request and on the access line.
 */
@DirtiesContext // its console writes JSON: later contexts start their own logging again
@ExtendWith(OutputCaptureExtension.class)
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT, properties = {
        "zipflux.archive.photos-dir=${java.io.tmpdir}/zipflux-structured-photos",
        "zipflux.data-dir=${java.io.tmpdir}/zipflux-test-data",
        "zipflux.logging.enabled=true",
        "logging.structured.format.console=ecs",
})
class StructuredLogTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Autowired
    private WebTestClient web;

    @BeforeAll
    static void photos() throws Exception {
        RequestIdTest.linkyAlbum(Path.of(System.getProperty("java.io.tmpdir"), "zipflux-structured-photos"));
    }

    @Test
    void jsonLinesCarryTheRequestIdAsAField(CapturedOutput output) throws Exception {
        web.get().uri("/archive/linky/")
                .header(RequestIds.HEADER, "structured-1")
                .exchange()
                .expectStatus().isOk()
                .expectBody().returnResult();

        List<JsonNode> lines = awaitLines(output, "structured-1", 2);

        assertThat(lines).anySatisfy(line -> {
            assertThat(field(line, "log.level")).isEqualTo("WARN");
            assertThat(line.get("message").asText()).contains("links outside the photos folder");
        });
        assertThat(lines).anySatisfy(line -> {
            assertThat(field(line, "log.logger")).isEqualTo("reactor.netty.http.server.AccessLog");
            assertThat(line.get("message").asText()).contains("\"GET /archive/linky/ HTTP/1.1\" 200");
        });
    }

    /** The JSON lines whose {@code requestId} is {@code id}, once there are {@code count}; every console line must be JSON. */
    private static List<JsonNode> awaitLines(CapturedOutput output, String id, int count) throws Exception {
        long deadline = System.currentTimeMillis() + 5000;
        List<JsonNode> found = List.of();
        while (found.size() < count && System.currentTimeMillis() < deadline) {
            Thread.sleep(20);
            found = output.getOut().lines()
                    .filter(line -> line.contains(id))
                    .map(StructuredLogTest::parse)
                    .filter(line -> id.equals(line.path("requestId").asText()))
                    .toList();
        }
        assertThat(found).as("JSON lines with requestId %s in:%n%s", id, output.getOut()).hasSizeGreaterThanOrEqualTo(count);
        return found;
    }

    /** An ECS field, written flat ({@code "log.level"}) or nested ({@code "log": {"level"}}) depending on the version. */
    private static String field(JsonNode line, String name) {
        JsonNode flat = line.get(name);
        return flat != null ? flat.asText() : line.at("/" + name.replace('.', '/')).asText();
    }

    private static JsonNode parse(String line) {
        try {
            return JSON.readTree(line);
        }
        catch (Exception ex) {
            throw new AssertionError("not a JSON line: " + line, ex);
        }
    }
}
