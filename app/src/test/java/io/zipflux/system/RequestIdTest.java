package io.zipflux.system;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import ch.qos.logback.classic.spi.ILoggingEvent;
import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.EntityExchangeResult;
import org.springframework.test.web.reactive.server.WebTestClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every request has an id (the client's {@code X-Request-Id} when it is a plain token, else a new one): sent back,
 * named in problem details, in the MDC of the log lines written while it is handled (on other threads too), and on
 * its access log line with the client's address, status, bytes and duration.
 */
@ExtendWith(OutputCaptureExtension.class)
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT, properties = {
        "zipflux.archive.photos-dir=${java.io.tmpdir}/zipflux-request-id-photos",
        "zipflux.data-dir=${java.io.tmpdir}/zipflux-test-data",
        "zipflux.logging.enabled=true",
})
class RequestIdTest {

    static final Path PHOTOS = Path.of(System.getProperty("java.io.tmpdir"), "zipflux-request-id-photos");

    private static final String ACCESS_LOG = "reactor.netty.http.server.AccessLog";

    @Autowired
    private WebTestClient web;

    /** Answers may be slow on a busy test machine: 30 s rather than the client's 5. */
    @BeforeEach
    void patientClient() {
        web = web.mutate().responseTimeout(Duration.ofSeconds(30)).build();
    }

    /** {@code linky/}: a photo and a link leaving the photos folder, which the listing skips with a warning. */
    @BeforeAll
    static void photos() throws IOException {
        linkyAlbum(PHOTOS);
    }

    static void linkyAlbum(Path photos) throws IOException {
        Path album = Files.createDirectories(photos.resolve("linky"));
        Files.writeString(album.resolve("photo.txt"), "a photo");
        Path outside = Files.writeString(Files.createDirectories(photos.resolveSibling(photos.getFileName() + "-outside"))
                .resolve("secret.txt"), "not to be served");
        Path link = album.resolve("escape.txt");
        if (!Files.isSymbolicLink(link)) {
            Files.createSymbolicLink(link, outside);
        }
    }

    @Test
    void anIncomingIdIsHonouredInTheHeaderTheProblemAndTheAccessLine() throws Exception {
        try (CapturedLog log = CapturedLog.start()) {
            EntityExchangeResult<JsonNode> answer = web.get().uri("/archive/no-such-album/")
                    .header(RequestIds.HEADER, "client-id_1.2:3")
                    .exchange()
                    .expectStatus().isNotFound()
                    .expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON)
                    .expectHeader().valueEquals(RequestIds.HEADER, "client-id_1.2:3")
                    .expectBody(JsonNode.class).returnResult();

            assertThat(answer.getResponseBody().get("requestId").asText()).isEqualTo("client-id_1.2:3");
            ILoggingEvent access = accessLine(log, "client-id_1.2:3");
            long bytes = answer.getResponseBodyContent().length;
            assertThat(access.getFormattedMessage())
                    .matches("127\\.0\\.0\\.1 \"GET /archive/no-such-album/ HTTP/1\\.1\" 404 " + bytes + " B \\d+ ms requestId=client-id_1\\.2:3");
            assertThat(access.getMDCPropertyMap()).containsEntry(RequestIds.KEY, "client-id_1.2:3");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "two words", "new\\nline", "x{}", "0123456789012345678901234567890123456789012345678901234567890123456789"})
    void aMissingOrUnfitIdIsReplacedByANewOne(String given) {
        WebTestClient.RequestHeadersSpec<?> request = web.get().uri("/api/v1/jobs");
        if (!given.isEmpty()) {
            request = request.header(RequestIds.HEADER, given.replace("\\n", "%0A"));
        }
        EntityExchangeResult<JsonNode> answer = request.exchange()
                .expectStatus().isUnauthorized()
                .expectBody(JsonNode.class).returnResult();

        String id = answer.getResponseHeaders().getFirst(RequestIds.HEADER);
        assertThat(id).matches("[0-9a-f]{32}");
        assertThat(answer.getResponseBody().get("requestId").asText()).isEqualTo(id);
    }

    @Test
    void generatedIdsDiffer() {
        List<String> ids = List.of(1, 2, 3).stream()
                .map(i -> web.get().uri("/actuator/health/liveness").exchange()
                        .expectStatus().isOk()
                        .expectBody().returnResult()
                        .getResponseHeaders().getFirst(RequestIds.HEADER))
                .toList();

        assertThat(ids).doesNotHaveDuplicates().allMatch(id -> id.matches("[0-9a-f]{32}"));
    }

    @Test
    void aLineWrittenOnAnotherThreadOfTheRequestCarriesItsId() throws Exception {
        changeLinky();
        try (CapturedLog log = CapturedLog.start()) {
            web.get().uri("/archive/linky/")
                    .header(RequestIds.HEADER, "linky-request")
                    .exchange()
                    .expectStatus().isOk()
                    .expectBody().returnResult();

            ILoggingEvent skipped = log.await(event -> event.getFormattedMessage().contains("links outside the photos folder"), 1, 5000).get(0);
            assertThat(skipped.getThreadName()).as(CapturedLog.describe(skipped)).startsWith("zipflux-file-io-");
            assertThat(skipped.getMDCPropertyMap()).as(CapturedLog.describe(skipped)).containsEntry(RequestIds.KEY, "linky-request");
            assertThat(accessLine(log, "linky-request").getFormattedMessage()).contains("\"GET /archive/linky/ HTTP/1.1\" 200 ");
            // Lines of other work on the same threads after the request do not carry it.
            assertThat(log.events(event -> "linky-request".equals(event.getMDCPropertyMap().get(RequestIds.KEY))))
                    .allSatisfy(event -> assertThat(event.getFormattedMessage()).containsAnyOf("links outside", "linky-request"));
        }
    }

    @Test
    void plainConsoleLinesShowTheId(CapturedOutput output) throws Exception {
        changeLinky();
        web.get().uri("/archive/linky/")
                .header(RequestIds.HEADER, "console-line")
                .exchange()
                .expectStatus().isOk()
                .expectBody().returnResult();

        long deadline = System.currentTimeMillis() + 5000;
        while (!output.getOut().contains("requestId=console-line") && System.currentTimeMillis() < deadline) {
            Thread.sleep(20);
        }
        assertThat(output.getOut().lines().filter(line -> line.contains("links outside the photos folder")
                && line.contains("[console-line] "))).as(output.getOut()).hasSize(1);
        assertThat(output.getOut().lines().filter(line -> line.contains("Started RequestIdTest")))
                .allSatisfy(line -> assertThat(line).doesNotContain("[] "));
    }

    /** A new file in {@code linky/}, so that the next request lists the folder (an unchanged one's layout is cached). */
    private static void changeLinky() throws IOException {
        Files.writeString(PHOTOS.resolve("linky").resolve("new-" + System.nanoTime() + ".txt"), "new");
    }

    private static ILoggingEvent accessLine(CapturedLog log, String id) throws InterruptedException {
        return log.await(event -> ACCESS_LOG.equals(event.getLoggerName()) && event.getFormattedMessage().endsWith("requestId=" + id),
                1, 5000).get(0);
    }
}
