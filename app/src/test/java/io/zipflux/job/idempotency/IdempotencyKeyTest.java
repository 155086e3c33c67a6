package io.zipflux.job.idempotency;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.core.env.Environment;

import io.zipflux.job.JobsClient;
import io.zipflux.job.ResponsesTable;
import io.zipflux.job.idempotency.KeyedRequests.Reply;
import io.zipflux.security.TestKeys;
import io.zipflux.system.RawConnection;

import static io.zipflux.job.idempotency.KeyedRequests.multipart;
import static io.zipflux.job.idempotency.KeyedRequests.multipartType;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code Idempotency-Key} on each job-creating route, over real HTTP on a real database: a repeat gets the
 * first answer byte for byte and makes no job; another request with the key gets 422; another client's
 * same key is its own; a bad key is 400; without the header every request is a new job.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT, properties = {
        "zipflux.data-dir=${java.io.tmpdir}/zipflux-test-data-idempotency",
        "zipflux.archive.photos-dir=${java.io.tmpdir}/zipflux-test-photos",
        "zipflux.fetch.allow-private=true",
})
class IdempotencyKeyTest {

    @LocalServerPort
    private int port;

    @Autowired
    private Environment environment;

    /** A client of its own for each test, so that its job counts are its own. */
    private KeyedRequests client(String name) {
        return new KeyedRequests(new JobsClient(port, TestKeys.client(environment, name)));
    }

    private static String newKey() {
        return UUID.randomUUID().toString();
    }

    private static void assertSameAnswer(Reply repeat, Reply first) {
        assertThat(repeat.status()).isEqualTo(first.status());
        assertThat(repeat.contentType()).isEqualTo(first.contentType());
        assertThat(repeat.location()).isEqualTo(first.location());
        assertThat(repeat.body()).as("byte-identical body").isEqualTo(first.body());
        assertThat(repeat.replayed()).as("Idempotent-Replayed").isTrue();
        assertThat(first.replayed()).isFalse();
    }

    private static void assertProblem(Reply reply, int status, String... detail) {
        assertThat(reply.status()).as(reply.text()).isEqualTo(status);
        assertThat(reply.contentType()).isEqualTo("application/problem+json");
        assertThat(reply.json().get("detail").asText()).contains(detail);
    }

    @Test
    void repeatedUploadGetsTheFirstAnswerEvenWithAnotherBoundaryAndMakesNoSecondJob() {
        KeyedRequests client = client("idem-upload");
        String key = newKey();
        byte[] content = "hello, idempotent world\n".repeat(1000).getBytes(StandardCharsets.UTF_8);

        Reply first = client.post("/api/v1/files", key, multipartType("first"), multipart("first", "a.txt", content));
        Reply repeat = client.post("/api/v1/files", key, multipartType("first"), multipart("first", "a.txt", content));
        Reply newBoundary = client.post("/api/v1/files", key, multipartType("retry-7f3a"), multipart("retry-7f3a", "a.txt", content));

        assertThat(first.status()).as(first.text()).isEqualTo(202);
        assertSameAnswer(repeat, first);
        assertSameAnswer(newBoundary, first);
        assertThat(client.jobCount("hash")).isEqualTo(1);
    }

    @Test
    void repeatedExportGetsTheFirstAnswerAndMakesNoSecondJob() {
        KeyedRequests client = client("idem-export");
        String key = newKey();

        Reply first = client.post("/api/v1/exports?from=2026-01-01&to=2026-06-30", key);
        Reply repeat = client.post("/api/v1/exports?from=2026-01-01&to=2026-06-30", key);

        assertThat(first.status()).as(first.text()).isEqualTo(202);
        assertThat(first.location()).isEqualTo("/api/v1/jobs/" + first.jobId());
        assertSameAnswer(repeat, first);
        assertThat(client.jobCount("export")).isEqualTo(1);
    }

    @Test
    void repeatedImportWithoutDataGetsTheFirstAnswerAndMakesNoSecondJob() {
        KeyedRequests client = client("idem-import-empty");
        String key = newKey();

        Reply first = client.post("/api/v1/imports", key);
        Reply repeat = client.post("/api/v1/imports", key);

        assertThat(first.status()).as(first.text()).isEqualTo(201);
        assertThat(first.location()).isEqualTo("/api/v1/imports/" + first.jobId());
        assertSameAnswer(repeat, first);
        assertThat(client.jobCount("import")).isEqualTo(1);
    }

    @Test
    void repeatedImportWithDataGetsTheFinishedJobAndImportsOnce() throws Exception {
        KeyedRequests client = client("idem-import-csv");
        String key = newKey();
        byte[] csv = ResponsesTable.csv("idem-form", 50, 0).getBytes(StandardCharsets.UTF_8);

        Reply first = client.post("/api/v1/imports", key, "text/csv", csv);
        Reply repeat = client.post("/api/v1/imports", key, "text/csv", csv);

        assertThat(first.status()).as(first.text()).isEqualTo(200);
        assertThat(first.json().get("state").asText()).isEqualTo("SUCCEEDED");
        assertSameAnswer(repeat, first);
        assertThat(client.jobCount("import")).isEqualTo(1);
        try (ResponsesTable table = new ResponsesTable(environment.getRequiredProperty("spring.r2dbc.url"))) {
            assertThat(table.count("idem-form")).isEqualTo(50);
        }
    }

    @Test
    void repeatedArchiveRequestGetsTheFirstAnswerAndMakesNoSecondJob() {
        KeyedRequests client = client("idem-archive");
        String key = newKey();
        byte[] json = archiveRequest("one.zip");

        Reply first = client.post("/api/v1/archives", key, "application/json", json);
        Reply repeat = client.post("/api/v1/archives", key, "application/json", json);

        assertThat(first.status()).as(first.text()).isEqualTo(202);
        assertSameAnswer(repeat, first);
        assertThat(client.jobCount("url-archive")).isEqualTo(1);
    }

    @Test
    void anotherBodyQueryOrPathWithTheKeyIs422AndMakesNoJob() {
        KeyedRequests client = client("idem-mismatch");
        String archiveKey = newKey();
        String exportKey = newKey();
        assertThat(client.post("/api/v1/archives", archiveKey, "application/json", archiveRequest("one.zip")).status()).isEqualTo(202);
        assertThat(client.post("/api/v1/exports?from=2026-01-01", exportKey).status()).isEqualTo(202);

        assertProblem(client.post("/api/v1/archives", archiveKey, "application/json", archiveRequest("two.zip")), 422, "body");
        assertProblem(client.post("/api/v1/exports?from=2026-01-02", exportKey), 422, "query");
        assertProblem(client.post("/api/v1/exports?from=2026-01-01&callbackUrl=http://127.0.0.1:9/hook", exportKey), 422, "query");
        assertProblem(client.post("/api/v1/imports", exportKey), 422, "path");
        assertThat(client.jobCount("url-archive")).isEqualTo(1);
        assertThat(client.jobCount("export")).isEqualTo(1);
        assertThat(client.jobCount("import")).isZero();
    }

    @Test
    void repeatOfAnUploadWhoseLastByteDiffersIs422() {
        KeyedRequests client = client("idem-last-byte");
        String key = newKey();
        byte[] content = new byte[1 << 20];
        new java.util.Random(7).nextBytes(content);
        byte[] changed = Arrays.copyOf(content, content.length);
        changed[changed.length - 1] ^= 1;

        Reply first = client.post("/api/v1/files", key, multipartType("b"), multipart("b", "r.bin", content));
        Reply same = client.post("/api/v1/files", key, multipartType("b"), multipart("b", "r.bin", content));
        Reply differs = client.post("/api/v1/files", key, multipartType("b"), multipart("b", "r.bin", changed));

        assertThat(first.status()).as(first.text()).isEqualTo(202);
        assertSameAnswer(same, first);
        assertProblem(differs, 422, "body");
        assertThat(client.jobCount("hash")).isEqualTo(1);
    }

    @Test
    void theSameKeyFromAnotherClientIsANewJob() {
        KeyedRequests one = client("idem-client-one");
        KeyedRequests other = client("idem-client-other");
        String key = newKey();

        Reply first = one.post("/api/v1/imports", key);
        Reply others = other.post("/api/v1/imports", key);

        assertThat(first.status()).isEqualTo(201);
        assertThat(others.status()).isEqualTo(201);
        assertThat(others.replayed()).isFalse();
        assertThat(others.jobId()).isNotEqualTo(first.jobId());
        assertThat(one.jobCount("import")).isEqualTo(1);
        assertThat(other.jobCount("import")).isEqualTo(1);
    }

    @Test
    void aMalformedKeyIs400AndALongestKeyIsAccepted() throws Exception {
        String credential = TestKeys.client(environment, "idem-bad-key");
        KeyedRequests client = new KeyedRequests(new JobsClient(port, credential));

        assertThat(rawHead(credential, "Idempotency-Key: \r\n")).as("empty")
                .startsWith("HTTP/1.1 400 ").contains("Content-Type: application/problem+json");
        assertThat(rawHead(credential, "Idempotency-Key: a\tb\r\n")).as("a tab, which HTTP lets through")
                .startsWith("HTTP/1.1 400 ").contains("Content-Type: application/problem+json");
        assertProblem(client.post("/api/v1/imports", "k".repeat(256)), 400, "256 characters");
        assertThat(rawHead(credential, "Idempotency-Key: a\u007fb\r\n")).as("DEL, refused by the HTTP parser itself")
                .startsWith("HTTP/1.1 400 ");
        assertProblem(client.postWithKeys("/api/v1/imports", "one", "two"), 400, "2 times");
        assertThat(client.jobCount("import")).isZero();

        Reply longest = client.post("/api/v1/imports", "k".repeat(255));
        assertThat(longest.status()).as(longest.text()).isEqualTo(201);
        assertThat(client.jobCount("import")).isEqualTo(1);
    }

    @Test
    void aRefusedFirstRequestKeepsNoAnswerSoTheCorrectedOneRuns() {
        KeyedRequests client = client("idem-refused");
        String key = newKey();

        assertProblem(client.post("/api/v1/exports?from=2026-13-01", key), 400, "from");
        Reply corrected = client.post("/api/v1/exports?from=2026-01-01", key);

        assertThat(corrected.status()).as(corrected.text()).isEqualTo(202);
        assertThat(corrected.replayed()).isFalse();
        assertThat(client.jobCount("export")).isEqualTo(1);
    }

    @Test
    void withoutTheHeaderEveryRequestIsANewJob() {
        KeyedRequests client = client("idem-no-header");

        Reply first = client.post("/api/v1/imports", null);
        Reply second = client.post("/api/v1/imports", null);

        assertThat(first.status()).isEqualTo(201);
        assertThat(second.status()).isEqualTo(201);
        assertThat(second.jobId()).isNotEqualTo(first.jobId());
        assertThat(client.jobCount("import")).isEqualTo(2);
    }

    /** The response head of a POST /api/v1/imports sent byte for byte, with {@code keyHeader} as it is written. */
    private String rawHead(String credential, String keyHeader) throws Exception {
        try (RawConnection connection = new RawConnection(port, 0)) {
            connection.send("POST /api/v1/imports HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + credential
                    + "\r\n" + keyHeader + "Content-Length: 0\r\nConnection: close\r\n\r\n");
            return connection.head(Duration.ofSeconds(30));
        }
    }

    private byte[] archiveRequest(String name) {
        return ("{\"name\": \"" + name + "\", \"onError\": \"skip\", \"urls\": [\"http://127.0.0.1:" + port
                + "/archive/nothing-here/\"]}").getBytes(StandardCharsets.UTF_8);
    }
}
