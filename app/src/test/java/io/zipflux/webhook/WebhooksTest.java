package io.zipflux.webhook;

import java.net.URISyntaxException;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.autoconfigure.actuate.observability.AutoConfigureObservability;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.core.env.Environment;

import io.zipflux.security.TestKeys;
import io.zipflux.system.DebianTools;
import io.zipflux.job.JobsClient;
import io.zipflux.job.JobsClient.Answer;
import io.zipflux.job.ResponsesTable;
import io.zipflux.webhook.WebhookReceiver.Received;
import io.zipflux.webhook.WebhookReceiver.Reply;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Webhooks end to end: real jobs on the real broker and database call back a receiver on 127.0.0.1,
 * whose requests are checked (signatures by Python's hmac, not by zipflux's code). The outbound policy
 * allows 127.0.0.1 only.
 */
@AutoConfigureObservability
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT, properties = {
        "zipflux.data-dir=${java.io.tmpdir}/zipflux-test-data",
        "zipflux.archive.photos-dir=${java.io.tmpdir}/zipflux-test-photos",
        "zipflux.webhooks.secret=" + WebhooksTest.SECRET_ONE + " " + WebhooksTest.SECRET_TWO,
        "zipflux.webhooks.initial-backoff=200ms",
        "zipflux.webhooks.poll-interval=50ms",
        "zipflux.webhooks.timeout=1s",
        "zipflux.webhooks.lease=3s",
        "zipflux.webhooks.retry-for=8s",
        "zipflux.jobs.pause-timeout=2s",
        "zipflux.fetch.allow-private=false",
        "zipflux.fetch.allowed-addresses=127.0.0.1/32",
})
class WebhooksTest {

    static final String SECRET_ONE = "whsec_emlwZmx1eC10ZXN0LXNlY3JldC1vbmUtMzItYnl0ZXM=";

    static final String SECRET_TWO = "whsec_emlwZmx1eC10ZXN0LXNlY3JldC10d28tMzItYnl0ZXM=";

    private static final String SECRET_UNKNOWN = "whsec_emlwZmx1eC10ZXN0LXNlY3JldC1iYWQtMzItYnl0ZXM=";

    private static final Duration LIMIT = Duration.ofSeconds(30);

    private static WebhookReceiver receiver;

    @LocalServerPort
    private int port;

    @Autowired
    private Environment environment;

    /** This test's own client key. */
    private String key;

    @BeforeEach
    void clientKey() {
        key = TestKeys.client(environment, "webhooks");
    }

    @TempDir
    private Path files;

    @BeforeAll
    static void receiver() throws Exception {
        receiver = WebhookReceiver.start((path, nth) -> {
            if (path.startsWith("/gone")) {
                return Reply.status(410);
            }
            if (path.startsWith("/busy")) { // /busy, /busy-for-good
                return Reply.status(503);
            }
            if (path.startsWith("/later")) {
                return nth == 1 ? Reply.status(503).header("Retry-After", "2") : Reply.status(200);
            }
            if (path.startsWith("/slow")) {
                return Reply.noAnswer();
            }
            return Reply.status(200);
        });
    }

    @AfterAll
    static void stopReceiver() {
        receiver.close();
    }

    private JobsClient api() {
        return new JobsClient(port, key);
    }

    @Test
    void signatureVerifiesInPythonWithEachOfTwoRotatedSecrets() throws Exception {
        String jobId = hashJob(receiver.url("/signed"));

        Received request = receiver.await("/signed", 1, LIMIT).get(0);

        assertThat(request.header("content-type")).startsWith("application/json");
        assertThat(request.header("webhook-signature").split(" ")).hasSize(2).allMatch(part -> part.startsWith("v1,"));
        assertThat(pythonVerifies(SECRET_ONE, request)).as("signed with the first secret").isTrue();
        assertThat(pythonVerifies(SECRET_TWO, request)).as("signed with the second secret").isTrue();
        assertThat(pythonVerifies(SECRET_UNKNOWN, request)).as("a secret zipflux does not have").isFalse();
        JsonNode body = request.json();
        assertThat(body.get("id").asText()).isEqualTo(jobId);
        assertThat(body.get("type").asText()).isEqualTo("hash");
        assertThat(body.get("state").asText()).isEqualTo("SUCCEEDED");
        assertThat(body.get("result").get("sha256").asText()).hasSize(64);
    }

    @Test
    void receiverDownAtFirstGetsTheWebhookOnceWithOneIdAndFreshTimestamps() throws Exception {
        int down = WebhookReceiver.freePort();
        String jobId = hashJob(WebhookReceiver.url(down, "/flaky"));
        awaitCallback(jobId, callback -> callback.get("attempts").asInt() >= 2);
        assertThat(api().job(jobId).get("callback").get("state").asText()).isEqualTo("PENDING");
        assertThat(api().job(jobId).get("callback").get("lastStatus").isNull()).as("no answer while down").isTrue();

        try (WebhookReceiver up = WebhookReceiver.start(down, (path, nth) -> Reply.status(nth == 1 ? 503 : 204))) {
            List<Received> requests = up.await("/flaky", 2, LIMIT);
            JsonNode callback = awaitCallback(jobId, seen -> seen.get("state").asText().equals("DELIVERED"));

            assertThat(callback.get("attempts").asInt()).as("refused twice or more, a 503, a 204").isGreaterThanOrEqualTo(4);
            assertThat(callback.get("lastStatus").asInt()).isEqualTo(204);
            assertThat(requests).extracting(request -> request.header("webhook-id")).containsOnly(requests.get(0).header("webhook-id"));
            assertThat(requests).extracting(Received::text).containsOnly(requests.get(0).text());
            for (Received request : requests) {
                long sent = Long.parseLong(request.header("webhook-timestamp"));
                assertThat(sent).as("timestamp of this attempt").isBetween(request.at().getEpochSecond() - 2,
                        request.at().getEpochSecond() + 1);
            }
            // A later delivery to the same receiver arrives (deliveries go on), and the delivered one is not sent again.
            String control = hashJob(up.url("/after-flaky"));
            up.await("/after-flaky", 1, LIMIT);
            awaitCallback(control, seen -> seen.get("state").asText().equals("DELIVERED"));
            assertThat(up.received("/flaky")).hasSize(2);
        }
    }

    @Test
    void goneStopsRetriesWhileServiceUnavailableIsRetried() throws Exception {
        String gone = hashJob(receiver.url("/gone"));
        String busy = hashJob(receiver.url("/busy"));

        receiver.await("/busy", 3, LIMIT);
        JsonNode goneCallback = awaitCallback(gone, callback -> callback.get("state").asText().equals("GONE"));

        assertThat(goneCallback.get("attempts").asInt()).isEqualTo(1);
        assertThat(goneCallback.get("lastStatus").asInt()).isEqualTo(410);
        assertThat(receiver.received("/gone")).hasSize(1);
        JsonNode busyCallback = api().job(busy).get("callback");
        assertThat(busyCallback.get("state").asText()).isEqualTo("PENDING");
        assertThat(busyCallback.get("lastStatus").asInt()).isEqualTo(503);
        String metrics = new String(api().bytes("/actuator/prometheus").body(), StandardCharsets.UTF_8);
        assertThat(counted(metrics, "gone")).isGreaterThanOrEqualTo(1);
        assertThat(counted(metrics, "retried")).isGreaterThanOrEqualTo(2);
        assertThat(metrics).contains("outcome=\"delivered\"").contains("outcome=\"failed\"");
    }

    @Test
    void deliveryIsGivenUpOnceRetryForHasPassed() throws Exception {
        String jobId = hashJob(receiver.url("/busy-for-good"));
        Instant ended = Instant.parse(api().job(jobId).get("updatedAt").asText());

        JsonNode callback = awaitCallback(jobId, seen -> seen.get("state").asText().equals("FAILED"));

        List<Received> requests = receiver.received("/busy-for-good");
        assertThat(callback.get("attempts").asInt()).as("200 ms, 400 ms, 800 ms... within 8 s").isBetween(4, 7)
                .isEqualTo(requests.size());
        assertThat(callback.get("lastStatus").asInt()).isEqualTo(503);
        assertThat(Duration.between(ended, requests.get(requests.size() - 1).at())).isLessThan(Duration.ofSeconds(8));
    }

    @Test
    void retryAfterIsWaitedForBeforeTheNextAttempt() throws Exception {
        String jobId = hashJob(receiver.url("/later"));

        List<Received> requests = receiver.await("/later", 2, LIMIT);

        assertThat(Duration.between(requests.get(0).at(), requests.get(1).at()))
                .as("Retry-After: 2, where the backoff alone would wait 200 ms")
                .isGreaterThanOrEqualTo(Duration.ofMillis(1900));
        assertThat(awaitCallback(jobId, callback -> callback.get("state").asText().equals("DELIVERED"))
                .get("attempts").asInt()).isEqualTo(2);
    }

    @Test
    void everyJobTypeCallsBackWhenItEnds() throws Exception {
        String hash = hashJob(receiver.url("/ends/hash"));
        Answer export = api().post("/api/v1/exports?" + WebhookReceiver.query(receiver.url("/ends/export")));
        Answer imported = api().send("POST", "/api/v1/imports?" + WebhookReceiver.query(receiver.url("/ends/import")),
                "text/csv", HttpRequest.BodyPublishers.ofString(ResponsesTable.csv("webhooks", 3, 0)));
        Answer failed = api().send("POST", "/api/v1/imports?" + WebhookReceiver.query(receiver.url("/ends/failed")),
                "text/csv", HttpRequest.BodyPublishers.ofString("form_id,respondent,submitted_at,answers\r\nf,r,not a time,{}\r\n"));
        Answer waiting = api().post("/api/v1/imports?" + WebhookReceiver.query(receiver.url("/ends/cancelled")));
        // The receiver is the origin too: it answers the fetch of /origin/empty.txt with an empty 200.
        Answer archive = api().send("POST", "/api/v1/archives", "application/json", HttpRequest.BodyPublishers.ofString(
                "{\"urls\": [\"" + receiver.url("/origin/empty.txt") + "\"], \"callbackUrl\": \""
                        + receiver.url("/ends/url-archive") + "\"}"));
        assertThat(archive.status()).isEqualTo(202);
        assertThat(export.status()).isEqualTo(202);
        assertThat(imported.status()).isEqualTo(200);
        assertThat(failed.status()).isEqualTo(422);
        assertThat(waiting.status()).isEqualTo(201);
        String cancelled = waiting.body().get("id").asText();
        assertThat(waiting.body().get("callback").get("state").asText()).isEqualTo("WAITING");
        assertThat(api().post("/api/v1/jobs/" + cancelled + "/cancel").status()).isEqualTo(202);

        Map<String, String> expected = Map.of(
                "/ends/hash", hash + " SUCCEEDED",
                "/ends/export", export.body().get("id").asText() + " SUCCEEDED",
                "/ends/import", imported.body().get("id").asText() + " SUCCEEDED",
                "/ends/failed", failed.body().get("id").asText() + " FAILED",
                "/ends/cancelled", cancelled + " CANCELLED",
                "/ends/url-archive", archive.body().get("id").asText() + " SUCCEEDED");
        for (Map.Entry<String, String> path : expected.entrySet()) {
            JsonNode body = receiver.await(path.getKey(), 1, LIMIT).get(0).json();
            assertThat(body.get("id").asText() + " " + body.get("state").asText()).as(path.getKey()).isEqualTo(path.getValue());
            JsonNode callback = awaitCallback(body.get("id").asText(), seen -> seen.get("state").asText().equals("DELIVERED"));
            assertThat(callback.get("attempts").asInt()).isEqualTo(1);
            assertThat(callback.get("lastStatus").asInt()).isEqualTo(200);
        }
        Answer plain = api().upload("file", smallFile());
        assertThat(api().job(plain.body().get("jobId").asText()).has("callback")).isTrue();
        assertThat(api().job(plain.body().get("jobId").asText()).get("callback").isNull()).as("no callbackUrl").isTrue();
    }

    @Test
    void sweeperCancellingAnImportThatGotNoDataCallsBack() throws Exception {
        Answer waiting = api().post("/api/v1/imports?" + WebhookReceiver.query(receiver.url("/swept")));
        assertThat(waiting.status()).isEqualTo(201);

        JsonNode body = receiver.await("/swept", 1, LIMIT).get(0).json();

        assertThat(body.get("id").asText()).isEqualTo(waiting.body().get("id").asText());
        assertThat(body.get("state").asText()).as("cancelled by the sweeper after the 2 s pause timeout").isEqualTo("CANCELLED");
    }

    @Test
    void hangingReceiverDelaysNeitherItsJobNorOtherDeliveries() throws Exception {
        String slow = hashJob(receiver.url("/slow"));
        receiver.await("/slow", 1, LIMIT);
        assertThat(api().job(slow).get("state").asText()).isEqualTo("SUCCEEDED");

        long start = System.nanoTime();
        String other = hashJob(receiver.url("/while-slow"));
        receiver.await("/while-slow", 1, LIMIT);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
        awaitCallback(other, callback -> callback.get("state").asText().equals("DELIVERED"));

        JsonNode callback = awaitCallback(slow, seen -> seen.get("attempts").asInt() >= 2);
        assertThat(callback.get("state").asText()).as("the hung attempt timed out and is retried").isEqualTo("PENDING");
        assertThat(callback.get("lastStatus").isNull()).isTrue();
    }

    @Test
    void unusableCallbackUrlIsRefusedWhenTheJobIsCreated() throws Exception {
        List<String> refused = List.of("ftp://127.0.0.1/x", "http://", "not a url", "http://127.0.0.2:9/x",
                "http://10.0.0.1/x", "http://169.254.169.254/latest/meta-data");
        int jobs = api().get("/api/v1/jobs?limit=1000").body().size();
        for (String url : refused) {
            String query = "?callbackUrl=" + URLEncoder.encode(url, StandardCharsets.UTF_8);
            for (Answer answer : List.of(api().upload("/api/v1/files" + query, "file", smallFile()),
                    api().post("/api/v1/exports" + query), api().post("/api/v1/imports" + query))) {
                assertThat(answer.status()).as("%s: %s", url, answer.body()).isEqualTo(400);
                assertThat(answer.contentType()).startsWith("application/problem+json");
                assertThat(answer.body().get("detail").asText()).as(url).contains("callbackUrl");
            }
        }
        assertThat(api().get("/api/v1/jobs?limit=1000").body().size()).as("no job created").isEqualTo(jobs);

        String allowed = "?" + WebhookReceiver.query(receiver.url("/allowed"));
        assertThat(api().upload("/api/v1/files" + allowed, "file", smallFile()).status()).isEqualTo(202);
        assertThat(api().post("/api/v1/exports" + allowed).status()).isEqualTo(202);
        assertThat(api().post("/api/v1/imports" + allowed).status()).isEqualTo(201);
    }

    /** The value of {@code zipflux_webhooks_deliveries_total{outcome}} in a Prometheus scrape. */
    private static double counted(String metrics, String outcome) {
        Matcher line = Pattern.compile("zipflux_webhooks_deliveries_total\\{[^}]*outcome=\"" + outcome + "\"[^}]*\\} (\\S+)")
                .matcher(metrics);
        assertThat(line.find()).as("metric line for outcome %s", outcome).isTrue();
        return Double.parseDouble(line.group(1));
    }

    private String hashJob(String callbackUrl) throws Exception {
        Answer accepted = api().upload("/api/v1/files?" + WebhookReceiver.query(callbackUrl), "file", smallFile());
        assertThat(accepted.status()).as("%s", accepted.body()).isEqualTo(202);
        String jobId = accepted.body().get("jobId").asText();
        api().awaitState(jobId, "SUCCEEDED", LIMIT);
        return jobId;
    }

    private Path smallFile() throws Exception {
        return Files.writeString(Files.createTempFile(files, "upload", ".txt"), "hello webhooks " + Instant.now());
    }

    private JsonNode awaitCallback(String jobId, Predicate<JsonNode> condition) throws InterruptedException {
        return api().awaitJob(jobId, LIMIT, job -> !job.get("callback").isNull() && condition.test(job.get("callback")))
                .get("callback");
    }

    /** Python's hmac over the received headers and body, with {@code secret}. */
    private static boolean pythonVerifies(String secret, Received request) throws Exception {
        Process python = new ProcessBuilder(DebianTools.require("python3", "python3"), script().toString(), secret, request.header("webhook-id"),
                request.header("webhook-timestamp"), request.header("webhook-signature"))
                .redirectErrorStream(true)
                .start();
        try (var stdin = python.getOutputStream()) {
            stdin.write(request.body());
        }
        assertThat(python.waitFor(30, TimeUnit.SECONDS)).as("python3 (Debian package python3) answers").isTrue();
        String output = new String(python.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(python.exitValue()).as("python3 verdict: %s", output).isIn(0, 1);
        return python.exitValue() == 0;
    }

    private static Path script() throws URISyntaxException {
        return Path.of(WebhooksTest.class.getResource("/webhook/verify_signature.py").toURI());
    }
}
