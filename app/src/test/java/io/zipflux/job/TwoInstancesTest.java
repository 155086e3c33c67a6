package io.zipflux.job;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.env.Environment;

import io.zipflux.ZipfluxApplication;
import io.zipflux.job.JobsClient.Answer;
import io.zipflux.security.TestKeys;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Several instances on one broker and one database. This test's own instance only serves the API;
 * jobs run in a separate JVM, which two tests kill outright (SIGKILL, no graceful stop): one in the
 * middle of a hash job, one in the middle of a CSV import that it receives.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT, properties = {
        "zipflux.data-dir=${java.io.tmpdir}/zipflux-test-data",
        "zipflux.archive.photos-dir=${java.io.tmpdir}/zipflux-test-photos",
        "zipflux.jobs.workers-enabled=false",
        "zipflux.jobs.lease=3s",
})
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class TwoInstancesTest {

    private static final long SIZE = 120L << 20;

    private static WorkerJvm worker;

    private static final List<ConfigurableApplicationContext> inProcessWorkers = new ArrayList<>();

    @LocalServerPort
    private int port;

    /** This test's own client key. */
    private String key;

    @BeforeEach
    void clientKey() {
        key = TestKeys.client(environment, "two-instances");
    }

    @Value("${spring.r2dbc.url}")
    private String r2dbcUrl;

    @Autowired
    private Environment environment;

    @TempDir
    private Path files;

    private JobsClient api() {
        return new JobsClient(port, key);
    }

    /** Settings every worker instance shares with this one. */
    private List<String> sharedSettings() {
        return WorkerJvm.sharedSettings(environment, "--zipflux.jobs.hash.max-rate=20MB");
    }

    @BeforeEach
    void workerInItsOwnJvm() throws Exception {
        if (worker != null && worker.isAlive()) {
            return;
        }
        worker = WorkerJvm.start("worker-jvm", sharedSettings());
    }

    @AfterAll
    static void stopWorkers() {
        if (worker != null) {
            worker.close();
        }
        inProcessWorkers.forEach(ConfigurableApplicationContext::close);
    }

    private Answer runningUpload(String name) throws Exception {
        return api().uploadRunning(TestFiles.sparse(files.resolve(name), SIZE), 2 << 20);
    }

    @Test
    @Order(1)
    void pauseSentToAnInstanceNotRunningTheJobStopsIt() throws Exception {
        String jobId = runningUpload("remote.bin").body().get("jobId").asText();

        assertThat(api().post("/api/v1/jobs/" + jobId + "/pause").status()).isEqualTo(202);
        Thread.sleep(1000);
        long progress = api().job(jobId).get("progress").get("done").asLong();
        Thread.sleep(1500);
        assertThat(api().job(jobId).get("progress").get("done").asLong()).isEqualTo(progress).isLessThan(SIZE);

        assertThat(api().post("/api/v1/jobs/" + jobId + "/resume").status()).isEqualTo(202);
        assertThat(api().awaitState(jobId, "SUCCEEDED", Duration.ofSeconds(30)).get("result").get("size").asLong())
                .isEqualTo(SIZE);
    }

    @Test
    @Order(2)
    void jobOfAKilledInstanceFinishesOnceOnAnother() throws Exception {
        Answer upload = runningUpload("orphan.bin");
        String jobId = upload.body().get("jobId").asText();

        worker.kill();
        inProcessWorkers.add(new SpringApplicationBuilder(ZipfluxApplication.class)
                .run(sharedSettings().toArray(String[]::new)));

        api().awaitState(jobId, "SUCCEEDED", Duration.ofSeconds(60));
        Thread.sleep(2000);
        assertThat(api().job(jobId).get("state").asText()).isEqualTo("SUCCEEDED");
        assertThat(WorkerJvm.attempts(r2dbcUrl, UUID.fromString(jobId))).as("runs: the killed one and the finished one").isEqualTo(2);
        Answer hash = api().get("/api/v1/files/" + upload.body().get("id").asText() + "/hash");
        assertThat(hash.body().get("md5").asText()).isEqualTo(TestFiles.coreutils("md5sum", files.resolve("orphan.bin")));
    }

    @Test
    @Order(3)
    void importOnAKilledInstanceLeavesNoRowsAndFails() throws Exception {
        String id = api().post("/api/v1/imports").body().get("id").asText();
        try (RawUpload upload = RawUpload.start(new JobsClient(workerPort(), key), "PUT", "/api/v1/imports/" + id,
                ResponsesTable.csv("crashed", 50_000, 0).getBytes(StandardCharsets.UTF_8), 1 << 20)) {
            api().awaitJob(id, Duration.ofSeconds(30), JobsClient.progressAtLeast(1000));

            worker.kill();
        }

        JsonNode failed = api().awaitState(id, "FAILED", Duration.ofSeconds(30));
        assertThat(failed.get("error").asText()).contains("before the end; nothing was written");
        try (ResponsesTable table = new ResponsesTable(r2dbcUrl)) {
            assertThat(table.count("crashed")).isZero();
        }
    }

    /** The port the worker JVM listens on, from its log. */
    private static int workerPort() throws Exception {
        Matcher started = Pattern.compile("Netty started on port (\\d+)").matcher(Files.readString(worker.log()));
        assertThat(started.find()).as("worker JVM's port in its log").isTrue();
        return Integer.parseInt(started.group(1));
    }
}
