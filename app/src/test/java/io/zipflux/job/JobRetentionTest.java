package io.zipflux.job;

import java.net.http.HttpRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.autoconfigure.actuate.observability.AutoConfigureObservability;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.env.Environment;
import org.springframework.test.annotation.DirtiesContext;

import io.zipflux.ZipfluxApplication;
import io.zipflux.job.JobsClient.Answer;
import io.zipflux.security.TestKeys;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Ended jobs of every type go, with their files, once older than {@code zipflux.jobs.retention} (3 s
 * here), by one instance at a time; active jobs, young ended ones and those whose files cannot be
 * removed stay. The context is closed after this class: its short retention would
 * delete the jobs of the tests that follow.
 */
@AutoConfigureObservability
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT, properties = {
        "zipflux.data-dir=${java.io.tmpdir}/zipflux-test-data-retention",
        "zipflux.archive.photos-dir=${java.io.tmpdir}/zipflux-test-photos",
        "zipflux.jobs.retention=3s",
        "zipflux.jobs.retention-batch=50",
        "zipflux.jobs.hash.max-rate=1MB",
        "zipflux.fetch.allowed-addresses=127.0.0.1/32",
})
@DirtiesContext
class JobRetentionTest {

    private static final Duration RETENTION = Duration.ofSeconds(3);

    /**
     * Once old enough, a job is gone within this: the ended jobs of the test classes before go first
     * (oldest first, 50 a second).
     */
    private static final Duration DELETED_WITHIN = Duration.ofSeconds(30);

    private static ConfigurableApplicationContext secondInstance;

    @LocalServerPort
    private int port;

    @Autowired
    private Environment environment;

    @Value("${spring.r2dbc.url}")
    private String r2dbcUrl;

    @Value("${zipflux.data-dir}")
    private Path dataDir;

    @TempDir
    private Path files;

    private String key;

    private final ListAppender<ILoggingEvent> retentionLog = new ListAppender<>();

    @BeforeEach
    void clientKeyAndLog() {
        key = TestKeys.client(environment, "retention");
        retentionLog.start();
        Logger logger = (Logger) LoggerFactory.getLogger(JobRetention.class);
        logger.setLevel(Level.INFO);
        logger.addAppender(retentionLog);
    }

    @AfterEach
    void detachLog() {
        ((Logger) LoggerFactory.getLogger(JobRetention.class)).detachAppender(retentionLog);
    }

    @AfterAll
    static void stopSecondInstance() {
        if (secondInstance != null) {
            secondInstance.close();
        }
    }

    private JobsClient api() {
        return new JobsClient(port, key);
    }

    @Test
    void endedJobsOfEveryTypeGoWithTheirFilesOnceOldWhileActiveOnesStay() throws Exception {
        Answer running = api().uploadRunning(TestFiles.sparse(files.resolve("running.bin"), 64L << 20), 1 << 20);
        Answer paused = api().uploadRunning(TestFiles.sparse(files.resolve("paused.bin"), 64L << 20), 1 << 20);
        String pausedJob = paused.body().get("jobId").asText();
        assertThat(api().post("/api/v1/jobs/" + pausedJob + "/pause").status()).isEqualTo(202);
        api().awaitState(pausedJob, "PAUSED", Duration.ofSeconds(10));
        String queued = api().post("/api/v1/imports").body().get("id").asText();

        // Each job is awaited as soon as it is created, and its files checked while it is young.
        List<JsonNode> ended = new ArrayList<>();
        Answer hash = api().upload("file", TestFiles.sparse(files.resolve("small.bin"), 100_000));
        ended.add(succeeded(hash.body().get("jobId").asText()));
        String fileHash = "/api/v1/files/" + hash.body().get("id").asText() + "/hash";
        assertThat(api().get(fileHash).status()).as("hash answer while the job is young").isEqualTo(200);
        String export = api().post("/api/v1/exports?from=2031-03-01&to=2031-03-02").body().get("id").asText();
        ended.add(succeeded(export));
        assertThat(dataDir.resolve("exports/" + export + ".csv")).exists();
        ended.add(api().send("POST", "/api/v1/imports", "text/csv",
                HttpRequest.BodyPublishers.ofString(ResponsesTable.csv("retention", 3, 700_000))).body());
        assertThat(ended.get(2).get("state").asText()).isEqualTo("SUCCEEDED");
        String archive = startUrlArchive();
        ended.add(succeeded(archive));
        assertThat(dataDir.resolve("url-archives/" + archive + "/manifest.json")).exists();

        for (JsonNode job : ended) {
            awaitDeletedOnceOld(job);
        }

        assertThat(api().get(fileHash).status()).isEqualTo(404);
        assertThat(dataDir.resolve("exports/" + export + ".csv")).doesNotExist();
        assertThat(dataDir.resolve("url-archives/" + archive)).doesNotExist();
        assertThat(api().job(running.body().get("jobId").asText()).get("state").asText()).isEqualTo("RUNNING");
        assertThat(api().job(pausedJob).get("state").asText()).isEqualTo("PAUSED");
        assertThat(api().job(queued).get("state").asText()).isEqualTo("QUEUED");
        assertThat(dataDir.resolve("uploads/" + running.body().get("id").asText())).as("a running job's upload").exists();
        assertThat(dataDir.resolve("uploads/" + paused.body().get("id").asText())).as("a paused job's upload").exists();
        for (String id : List.of(running.body().get("jobId").asText(), pausedJob, queued)) {
            assertThat(api().post("/api/v1/jobs/" + id + "/cancel").status()).isEqualTo(202);
        }
    }

    @Test
    void jobWhoseFileCannotBeRemovedStaysUntilItCan() throws Exception {
        Answer upload = api().uploadRunning(TestFiles.sparse(files.resolve("blocked.bin"), 64L << 20), 1 << 20);
        String blocked = upload.body().get("jobId").asText();
        // While the job runs (its file stays open), a folder that is not empty takes the upload's place:
        // no delete removes it, root or not.
        Path uploadPath = dataDir.resolve("uploads/" + upload.body().get("id").asText());
        Files.delete(uploadPath);
        Path blocker = Files.createDirectories(uploadPath.resolve("blocker"));
        double failuresBefore = metric(port, "zipflux_jobs_retention_failures_total", "hash");
        assertThat(api().post("/api/v1/jobs/" + blocked + "/cancel").status()).isEqualTo(202);
        JsonNode blockedJob = api().awaitState(blocked, "CANCELLED", Duration.ofSeconds(10));
        JsonNode freeJob = api().send("POST", "/api/v1/imports", "text/csv",
                HttpRequest.BodyPublishers.ofString(ResponsesTable.csv("retention", 1, 700_100))).body();

        awaitDeletedOnceOld(freeJob);
        awaitMetricAbove(port, "zipflux_jobs_retention_failures_total", "hash", failuresBefore);

        assertThat(api().job(blocked).get("state").asText()).as("kept while its file stays").isEqualTo("CANCELLED");
        Files.delete(blocker);
        awaitDeletedOnceOld(blockedJob);
        assertThat(uploadPath).doesNotExist();
    }

    @Test
    void twoInstancesDeleteEachJobOnce() throws Exception {
        secondInstance = new SpringApplicationBuilder(ZipfluxApplication.class).run(WorkerJvm.sharedSettings(environment,
                "--zipflux.jobs.instance-id=second-retention", "--zipflux.jobs.workers-enabled=false",
                "--zipflux.jobs.retention=3s", "--zipflux.jobs.retention-batch=50").toArray(String[]::new));
        int secondPort = Integer.parseInt(secondInstance.getEnvironment().getRequiredProperty("local.server.port"));
        try (JobRows rows = new JobRows(r2dbcUrl)) {
            awaitNoEndedJobs(rows);
            double before = metric(port, "zipflux_jobs_deleted_total", null) + metric(secondPort, "zipflux_jobs_deleted_total", null);
            List<UUID> exports = JobRows.newIds(6);
            for (UUID id : exports) {
                Files.writeString(dataDir.resolve("exports/" + id + ".csv"), "id,form_id,respondent,submitted_at,answers\r\n");
            }
            rows.insertEndedLongAgo("export", "retention", exports);
            List<UUID> imports = rows.insertEndedLongAgo("import", "retention", 6);

            rows.awaitGone(exports, DELETED_WITHIN);
            rows.awaitGone(imports, DELETED_WITHIN);

            for (UUID id : exports) {
                assertThat(dataDir.resolve("exports/" + id + ".csv")).doesNotExist();
            }
            double after = metric(port, "zipflux_jobs_deleted_total", null) + metric(secondPort, "zipflux_jobs_deleted_total", null);
            assertThat(after - before).as("deletions counted by both instances together").isEqualTo(12);
            assertThat(retentionLog.list).as("retention warnings")
                    .noneMatch(event -> event.getLevel().isGreaterOrEqual(Level.WARN));
        }
    }

    private String startUrlArchive() throws Exception {
        Path source = Files.createDirectories(Path.of(environment.getRequiredProperty("zipflux.archive.photos-dir"),
                "retention-source"));
        Files.writeString(source.resolve("a.txt"), "kept until the retention is over");
        Answer accepted = api().send("POST", "/api/v1/archives", "application/json", HttpRequest.BodyPublishers.ofString(
                "{\"urls\": [\"http://127.0.0.1:" + port + "/archive/retention-source/\"]}"));
        assertThat(accepted.status()).as("archive request: %s", accepted.body()).isEqualTo(202);
        return accepted.body().get("id").asText();
    }

    private JsonNode succeeded(String id) throws InterruptedException {
        return api().awaitState(id, "SUCCEEDED", Duration.ofSeconds(30));
    }

    /** The job answers 200 until it is older than the retention, then 404 within the deadline. */
    private void awaitDeletedOnceOld(JsonNode job) throws InterruptedException {
        String id = job.get("id").asText();
        Instant ended = Instant.parse(job.get("updatedAt").asText());
        Instant deadline = ended.plus(RETENTION).plus(DELETED_WITHIN);
        while (true) {
            Answer answer = api().get("/api/v1/jobs/" + id);
            Instant now = Instant.now();
            if (answer.status() == 404) {
                assertThat(now).as("job %s deleted no sooner than the retention after it ended (%s)", id, ended)
                        .isAfterOrEqualTo(ended.plus(RETENTION));
                return;
            }
            assertThat(answer.status()).isEqualTo(200);
            assertThat(now).as("job %s deleted by now", id).isBefore(deadline);
            Thread.sleep(50);
        }
    }

    /** The tests before have left ended jobs that are being deleted; the count of this test starts after them. */
    private static void awaitNoEndedJobs(JobRows rows) throws Exception {
        long deadline = System.nanoTime() + DELETED_WITHIN.toNanos();
        while (rows.ended() > 0) {
            assertThat(System.nanoTime()).as("ended jobs of earlier tests deleted").isLessThan(deadline);
            Thread.sleep(100);
        }
    }

    private void awaitMetricAbove(int instancePort, String name, String type, double floor) throws InterruptedException {
        long deadline = System.nanoTime() + DELETED_WITHIN.toNanos();
        while (metric(instancePort, name, type) <= floor) {
            assertThat(System.nanoTime()).as("%s{type=%s} above %s", name, type, floor).isLessThan(deadline);
            Thread.sleep(100);
        }
    }

    /** The sum of a counter's series on one instance's /actuator/prometheus, of one type or (null) all. */
    private double metric(int instancePort, String name, String type) {
        Answer scrape = new JobsClient(instancePort, key).get("/actuator/prometheus");
        assertThat(scrape.status()).isEqualTo(200);
        double sum = 0;
        for (String line : scrape.body().get("text").asText().split("\n")) {
            if (line.startsWith(name + "{") && (type == null || line.contains("type=\"" + type + "\""))) {
                sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return sum;
    }
}
