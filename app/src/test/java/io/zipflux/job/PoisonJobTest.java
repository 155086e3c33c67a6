package io.zipflux.job;

import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
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
 * A job whose worker JVM dies (SIGKILL) mid-run {@code zipflux.jobs.max-attempts} times (3, the
 * default) fails saying so and is not run again, while a job abandoned fewer times runs again to
 * SUCCEEDED. This test's own instance only serves the API (and sweeps); jobs run in worker JVMs.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT, properties = {
        "zipflux.data-dir=${java.io.tmpdir}/zipflux-test-data-poison",
        "zipflux.archive.photos-dir=${java.io.tmpdir}/zipflux-test-photos",
        "zipflux.jobs.workers-enabled=false",
        "zipflux.jobs.lease=3s",
})
class PoisonJobTest {

    private static final long SIZE = 200L << 20;

    /** Generous for a loaded machine: a new worker joins the consumer group, then claims the job. */
    private static final Duration RUNNING_WITHIN = Duration.ofMinutes(2);

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

    private ConfigurableApplicationContext survivor;

    @BeforeEach
    void clientKey() {
        key = TestKeys.client(environment, "poison");
    }

    @AfterEach
    void stopSurvivor() {
        if (survivor != null) {
            survivor.close();
        }
    }

    @Test
    void jobWhoseWorkerDiesMaxAttemptsTimesFailsAndIsNotRunAgain() throws Exception {
        JobsClient api = new JobsClient(port, key);
        Answer poison = api.upload("file", TestFiles.sparse(files.resolve("poison.bin"), SIZE));
        UUID poisonJob = UUID.fromString(poison.body().get("jobId").asText());
        UUID control = null;
        try (JobRows rows = new JobRows(r2dbcUrl)) {
            for (int run = 1; run <= 3; run++) {
                // Slow hashing (8 MB/s: 25 s a run), so that every run is cut off in the middle.
                try (WorkerJvm worker = WorkerJvm.start("poison-" + run,
                        WorkerJvm.sharedSettings(environment, "--zipflux.jobs.hash.max-rate=8MB"))) {
                    if (run == 3) {
                        Answer second = api.upload("file", TestFiles.sparse(files.resolve("control.bin"), SIZE));
                        control = UUID.fromString(second.body().get("jobId").asText());
                        awaitRunningOn(api, rows, control, "poison-3", 1);
                    }
                    awaitRunningOn(api, rows, poisonJob, "poison-" + run, run);
                    worker.kill();
                }
            }

            JsonNode failed = api.awaitState(poisonJob.toString(), "FAILED", Duration.ofSeconds(30));
            assertThat(failed.get("error").asText())
                    .isEqualTo("abandoned 3 times by workers that stopped mid-run; not retried again");
            survivor = new SpringApplicationBuilder(ZipfluxApplication.class).run(WorkerJvm.sharedSettings(environment,
                    "--zipflux.jobs.instance-id=poison-survivor").toArray(String[]::new));

            JsonNode rerun = api.awaitState(control.toString(), "SUCCEEDED", Duration.ofSeconds(60));
            assertThat(rerun.get("result").get("size").asLong()).isEqualTo(SIZE);
            assertThat(rows.runs(control)).as("abandoned once, then run to the end by the survivor")
                    .isEqualTo(new JobRows.Runs("SUCCEEDED", null, 2, 1));
            assertThat(rows.runs(poisonJob)).as("not run again, though a worker took the other job")
                    .isEqualTo(new JobRows.Runs("FAILED", null, 3, 3));
            assertThat(api.job(poisonJob.toString()).get("state").asText()).isEqualTo("FAILED");
            assertThat(dataDir.resolve("uploads/" + poison.body().get("id").asText()))
                    .as("the failed job's upload, cleaned up").doesNotExist();
        }
    }

    /** Waits until the job runs on {@code instance} as its {@code attempt}-th run, and has hashed a first chunk. */
    private static void awaitRunningOn(JobsClient api, JobRows rows, UUID job, String instance, int attempt) throws Exception {
        long deadline = System.nanoTime() + RUNNING_WITHIN.toNanos();
        while (true) {
            JobRows.Runs runs = rows.runs(job);
            if (runs.state().equals("RUNNING") && instance.equals(runs.owner()) && runs.attempts() == attempt
                    && api.job(job.toString()).get("progress").get("done").asLong() >= 1 << 20) {
                assertThat(runs.abandoned()).as("runs abandoned before this one").isEqualTo(attempt - 1);
                return;
            }
            assertThat(System.nanoTime()).as("job %s running on %s as run %s; now %s", job, instance, attempt, runs)
                    .isLessThan(deadline);
            Thread.sleep(50);
        }
    }
}
