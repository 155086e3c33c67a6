package io.zipflux.job;

import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.autoconfigure.actuate.observability.AutoConfigureObservability;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.core.env.Environment;

import io.zipflux.job.JobsClient.Answer;
import io.zipflux.security.TestKeys;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Pause, resume and cancel of a running hash job (slowed to 20 MB/s so there is time to steer it),
 * the pause timeout, illegal transitions, listing and the event stream.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT, properties = {
        "zipflux.data-dir=${java.io.tmpdir}/zipflux-test-data-control",
        "zipflux.archive.photos-dir=${java.io.tmpdir}/zipflux-test-photos",
        "zipflux.jobs.hash.max-rate=20MB",
        "zipflux.jobs.pause-timeout=4s",
        "zipflux.upload.max-size=101MB",
})
@AutoConfigureObservability
class JobControlTest {

    private static final long SIZE = 100L << 20;

    private static final Path UPLOADS = Path.of(System.getProperty("java.io.tmpdir"), "zipflux-test-data-control", "uploads");

    @LocalServerPort
    private int port;

    @Autowired
    private Environment environment;

    /** This test's own client key. */
    private String key;

    @BeforeEach
    void clientKey() {
        key = TestKeys.client(environment, "job-control");
    }

    @TempDir
    private Path files;

    private JobsClient client() {
        return new JobsClient(port, key);
    }

    /** Uploads a 100 MB file and waits until its job has hashed the first few MB. */
    private Answer runningUpload(String name) throws Exception {
        return client().uploadRunning(TestFiles.sparse(files.resolve(name), SIZE), 2 << 20);
    }

    @Test
    void pauseStopsProgressAndResumeFinishesWithTheRightHash() throws Exception {
        Answer upload = runningUpload("paused.bin");
        String jobId = upload.body().get("jobId").asText();

        Answer paused = client().post("/api/v1/jobs/" + jobId + "/pause");
        assertThat(paused.status()).isEqualTo(202);
        assertThat(paused.body().get("state").asText()).isEqualTo("PAUSED");
        Thread.sleep(1000);
        long progressAfterPause = client().job(jobId).get("progress").get("done").asLong();
        Thread.sleep(1500);
        assertThat(client().job(jobId).get("progress").get("done").asLong()).isEqualTo(progressAfterPause).isLessThan(SIZE);

        assertThat(client().post("/api/v1/jobs/" + jobId + "/resume").status()).isEqualTo(202);
        client().awaitState(jobId, "SUCCEEDED", Duration.ofSeconds(30));

        JsonNode hash = client().get("/api/v1/files/" + upload.body().get("id").asText() + "/hash").body();
        assertThat(hash.get("status").asText()).isEqualTo("SUCCESS");
        assertThat(hash.get("md5").asText()).isEqualTo(TestFiles.coreutils("md5sum", files.resolve("paused.bin")));
        assertThat(hash.get("sha256").asText()).isEqualTo(TestFiles.coreutils("sha256sum", files.resolve("paused.bin")));
    }

    @Test
    void cancelEndsTheJobAndItsProgress() throws Exception {
        Answer upload = runningUpload("cancelled.bin");
        String jobId = upload.body().get("jobId").asText();

        Answer cancelled = client().post("/api/v1/jobs/" + jobId + "/cancel");
        Thread.sleep(1000);
        long progress = client().job(jobId).get("progress").get("done").asLong();
        Thread.sleep(1000);

        assertThat(cancelled.status()).isEqualTo(202);
        assertThat(cancelled.body().get("state").asText()).isEqualTo("CANCELLED");
        assertThat(client().job(jobId).get("progress").get("done").asLong()).isEqualTo(progress).isLessThan(SIZE);
        assertThat(client().get("/api/v1/files/" + upload.body().get("id").asText() + "/hash").body().get("status").asText())
                .isEqualTo("FAILURE");
        assertThat(UPLOADS.resolve(upload.body().get("id").asText())).as("the cancelled job's upload").doesNotExist();
        assertThat(client().get("/actuator/prometheus").body().get("text").asText())
                .contains("zipflux_jobs_duration_seconds_count{application=\"zipflux\",outcome=\"CANCELLED\",type=\"hash\"}");
    }

    @Test
    void jobPausedPastThePauseTimeoutIsCancelled() throws Exception {
        String jobId = runningUpload("forgotten.bin").body().get("jobId").asText();

        client().post("/api/v1/jobs/" + jobId + "/pause");
        JsonNode job = client().awaitState(jobId, "CANCELLED", Duration.ofSeconds(15));

        assertThat(job.get("error").asText()).contains("paused for longer than");
    }

    @Test
    void transitionsTheStateDoesNotAllowAreConflicts() throws Exception {
        String running = runningUpload("conflicts.bin").body().get("jobId").asText();

        Answer resumeRunning = client().post("/api/v1/jobs/" + running + "/resume");
        client().post("/api/v1/jobs/" + running + "/cancel");
        Answer cancelAgain = client().post("/api/v1/jobs/" + running + "/cancel");
        Answer pauseCancelled = client().post("/api/v1/jobs/" + running + "/pause");

        for (Answer answer : List.of(resumeRunning, cancelAgain, pauseCancelled)) {
            assertThat(answer.status()).isEqualTo(409);
            assertThat(answer.contentType()).isEqualTo("application/problem+json");
        }
        assertThat(resumeRunning.body().get("detail").asText()).contains("RUNNING").contains("resume");
        assertThat(pauseCancelled.body().get("state").asText()).isEqualTo("CANCELLED");
    }

    @Test
    void unknownJobsAndActionsAreClientErrors() {
        assertThat(client().get("/api/v1/jobs/not-a-uuid").status()).isEqualTo(404);
        Answer unknown = client().post("/api/v1/jobs/00000000-0000-0000-0000-000000000000/pause");
        assertThat(unknown.status()).isEqualTo(404);
        assertThat(unknown.contentType()).isEqualTo("application/problem+json");
        assertThat(client().post("/api/v1/jobs/00000000-0000-0000-0000-000000000000/explode").status()).isEqualTo(400);
        assertThat(client().get("/api/v1/jobs?state=SLEEPING").status()).isEqualTo(400);
        assertThat(client().get("/api/v1/jobs?limit=0").status()).isEqualTo(400);
    }

    @Test
    void listShowsNewestFirstAndFilters() throws Exception {
        String first = client().upload("file", Files.write(files.resolve("a.txt"), "a".getBytes())).body().get("jobId").asText();
        String second = client().upload("file", Files.write(files.resolve("b.txt"), "b".getBytes())).body().get("jobId").asText();
        client().awaitState(second, "SUCCEEDED", Duration.ofSeconds(20));
        client().awaitState(first, "SUCCEEDED", Duration.ofSeconds(20));

        JsonNode newest = client().get("/api/v1/jobs?type=hash&state=SUCCEEDED&limit=2").body();
        JsonNode none = client().get("/api/v1/jobs?type=export").body();

        assertThat(newest).hasSize(2);
        assertThat(newest.get(0).get("id").asText()).isEqualTo(second);
        assertThat(newest.get(1).get("id").asText()).isEqualTo(first);
        assertThat(none).isEmpty();
    }

    @Test
    void uploadOverTheMaximumSizeIsRefusedAndLeavesNothing() throws Exception {
        Set<Path> before = files(UPLOADS);

        Answer answer = client().upload("file", TestFiles.sparse(files.resolve("huge.bin"), 102L << 20));

        assertThat(answer.status()).isEqualTo(413);
        assertThat(answer.contentType()).isEqualTo("application/problem+json");
        assertThat(answer.body().get("detail").asText()).contains("101 MB");
        assertThat(before).as("no new file in the uploads folder").containsAll(files(UPLOADS));
    }

    private static Set<Path> files(Path folder) throws Exception {
        try (var paths = Files.list(folder)) {
            return paths.collect(Collectors.toSet());
        }
    }

    @Test
    void prometheusShowsJobsByTypeAndStateDurationsAndLag() throws Exception {
        String jobId = client().upload("file", Files.write(files.resolve("m.txt"), "m".getBytes())).body().get("jobId").asText();
        client().awaitState(jobId, "SUCCEEDED", Duration.ofSeconds(20));
        Thread.sleep(2500);

        String metrics = client().get("/actuator/prometheus").body().get("text").asText();

        assertThat(metrics).containsPattern("zipflux_jobs\\{[^}]*state=\"SUCCEEDED\",type=\"hash\"} [1-9]")
                .contains("zipflux_jobs_duration_seconds_count{application=\"zipflux\",outcome=\"SUCCEEDED\",type=\"hash\"}")
                .contains("zipflux_jobs_consumer_lag{application=\"zipflux\",type=\"hash\"}");
    }

    @Test
    void eventStreamSendsSnapshotsAndEndsAfterATerminalState() throws Exception {
        String jobId = client().upload("file", Files.write(files.resolve("c.txt"), "c".repeat(1000).getBytes()))
                .body().get("jobId").asText();

        HttpResponse<java.util.stream.Stream<String>> events = HttpClient.newHttpClient().send(
                client().request("/api/v1/jobs/" + jobId + "/events").timeout(Duration.ofSeconds(30)).build(),
                HttpResponse.BodyHandlers.ofLines());
        List<String> lines = events.body().toList();

        assertThat(events.headers().firstValue("Content-Type")).hasValueSatisfying(type -> assertThat(type).startsWith("text/event-stream"));
        assertThat(lines).contains("event:succeeded");
        assertThat(lines.stream().filter(line -> line.startsWith("data:"))).last().asString().contains("\"state\":\"SUCCEEDED\"");
    }
}
