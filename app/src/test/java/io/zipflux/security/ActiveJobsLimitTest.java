package io.zipflux.security;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.core.env.Environment;

import io.zipflux.job.JobsClient;
import io.zipflux.job.JobsClient.Answer;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * At most {@code zipflux.security.max-active-jobs} (default 20) QUEUED, RUNNING or PAUSED jobs per client:
 * the next one is 429 with Retry-After, other clients are unaffected, and racing requests cannot pass the
 * limit (it is counted in the database, under a lock, as for requests to different instances).
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT, properties = {
        "zipflux.data-dir=${java.io.tmpdir}/zipflux-test-data-limits",
        "zipflux.archive.photos-dir=${java.io.tmpdir}/zipflux-test-photos",
})
class ActiveJobsLimitTest {

    private static final int LIMIT = 20;

    @LocalServerPort
    private int port;

    @Autowired
    private Environment environment;

    @TempDir
    private Path files;

    @Test
    void theTwentyFirstActiveJobIs429AndAnotherClientIsUnaffected() throws Exception {
        JobsClient busy = new JobsClient(port, TestKeys.client(environment, "busy"));
        List<String> ids = IntStream.range(0, LIMIT).mapToObj(i -> created(busy.post("/api/v1/imports"))).toList();

        Answer refused = busy.post("/api/v1/imports");
        assertThat(refused.status()).isEqualTo(429);
        assertThat(refused.contentType()).startsWith("application/problem+json");
        assertThat(refused.body().get("detail").asText()).contains("20 jobs", "zipflux.security.max-active-jobs");
        HttpResponse<String> raw = HttpClient.newHttpClient().send(busy.request("/api/v1/imports")
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(raw.statusCode()).isEqualTo(429);
        assertThat(raw.headers().firstValue("Retry-After").map(Long::parseLong)).hasValueSatisfying(
                seconds -> assertThat(seconds).isPositive());
        assertThat(busy.post("/api/v1/exports").status()).as("any job type").isEqualTo(429);
        assertThat(busy.upload("file", Files.writeString(files.resolve("f.txt"), "x")).status()).isEqualTo(429);

        JobsClient other = new JobsClient(port, TestKeys.client(environment, "unaffected"));
        assertThat(other.post("/api/v1/imports").status()).isEqualTo(201);

        assertThat(busy.post("/api/v1/jobs/" + ids.get(0) + "/cancel").status()).isEqualTo(202);
        assertThat(busy.post("/api/v1/imports").status()).as("a slot freed by the cancel").isEqualTo(201);
    }

    @Test
    void racingRequestsCannotPassTheLimit() throws Exception {
        JobsClient racer = new JobsClient(port, TestKeys.client(environment, "racer"));
        ExecutorService pool = Executors.newFixedThreadPool(16);
        try {
            List<Future<Integer>> answers = IntStream.range(0, 2 * LIMIT)
                    .mapToObj(i -> pool.submit(() -> racer.post("/api/v1/imports").status()))
                    .toList();
            int accepted = 0;
            int refused = 0;
            for (Future<Integer> answer : answers) {
                int status = answer.get();
                assertThat(status).isIn(201, 429);
                accepted += status == 201 ? 1 : 0;
                refused += status == 429 ? 1 : 0;
            }
            assertThat(accepted).isEqualTo(LIMIT);
            assertThat(refused).isEqualTo(LIMIT);
        }
        finally {
            pool.shutdownNow();
        }
    }

    private static String created(Answer answer) {
        assertThat(answer.status()).as("%s", answer.body()).isEqualTo(201);
        return answer.body().get("id").asText();
    }
}
