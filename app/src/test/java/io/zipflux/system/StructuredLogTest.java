package io.zipflux.system;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.core.env.Environment;

import io.zipflux.job.WorkerJvm;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Structured logs ({@code logging.structured.format.console=ecs}, as the README documents): one JSON object a line,
 * the request id a field of its own, on lines written inside a request and on the access line. The instance runs in
 * a JVM of its own: logging is set up once per JVM while other test contexts are open.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT, properties = {
        "zipflux.archive.photos-dir=${java.io.tmpdir}/zipflux-request-id-photos",
        "zipflux.data-dir=${java.io.tmpdir}/zipflux-test-data",
        "zipflux.logging.enabled=true",
})
class StructuredLogTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @Autowired
    private Environment environment;

    @BeforeAll
    static void photos() throws Exception {
        RequestIdTest.linkyAlbum(RequestIdTest.PHOTOS);
    }

    @Test
    void jsonLinesCarryTheRequestIdAsAField() throws Exception {
        int port = freePort();
        List<String> settings = new ArrayList<>(WorkerJvm.sharedSettings(environment,
                "--zipflux.logging.enabled=true", "--logging.structured.format.console=ecs"));
        settings.replaceAll(setting -> setting.startsWith("--server.port=") ? "--server.port=" + port : setting);
        try (WorkerJvm instance = WorkerJvm.start("structured-logs", settings, Duration.ofMinutes(3))) {
            HttpResponse<byte[]> answer = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/archive/linky/"))
                    .header(RequestIds.HEADER, "structured-1").build(), HttpResponse.BodyHandlers.ofByteArray());
            assertThat(answer.statusCode()).isEqualTo(200);

            List<JsonNode> lines = awaitLines(instance.log(), "structured-1", 2);

            assertThat(lines).anySatisfy(line -> {
                assertThat(field(line, "log.level")).isEqualTo("WARN");
                assertThat(line.get("message").asText()).contains("links outside the photos folder");
            });
            assertThat(lines).anySatisfy(line -> {
                assertThat(field(line, "log.logger")).isEqualTo("reactor.netty.http.server.AccessLog");
                assertThat(line.get("message").asText()).contains("\"GET /archive/linky/ HTTP/1.1\" 200");
            });
        }
    }

    /** The JSON lines whose {@code requestId} is {@code id}, once there are {@code count}; every line naming it must be JSON. */
    private static List<JsonNode> awaitLines(Path log, String id, int count) throws Exception {
        long deadline = System.currentTimeMillis() + 10_000;
        List<JsonNode> found = List.of();
        while (found.size() < count && System.currentTimeMillis() < deadline) {
            Thread.sleep(50);
            found = Files.readAllLines(log).stream()
                    .filter(line -> line.contains(id))
                    .map(StructuredLogTest::parse)
                    .filter(line -> id.equals(line.path("requestId").asText()))
                    .toList();
        }
        assertThat(found).as("JSON lines with requestId %s in:%n%s", id, Files.readString(log)).hasSizeGreaterThanOrEqualTo(count);
        return found;
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
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
