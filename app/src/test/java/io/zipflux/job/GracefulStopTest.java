package io.zipflux.job;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.env.Environment;

import io.zipflux.ZipfluxApplication;
import io.zipflux.security.TestKeys;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A worker instance that stops gracefully hands its running job back (QUEUED again, for another
 * instance) before its shutdown ends. This test's own instance only serves the API.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT, properties = {
        "zipflux.data-dir=${java.io.tmpdir}/zipflux-test-data-stop",
        "zipflux.archive.photos-dir=${java.io.tmpdir}/zipflux-test-photos",
        "zipflux.jobs.workers-enabled=false",
})
class GracefulStopTest {

    private static final long SIZE = 120L << 20;

    private final List<ConfigurableApplicationContext> workers = new ArrayList<>();

    @LocalServerPort
    private int port;

    /** This test's own client key. */
    private String key;

    @BeforeEach
    void clientKey() {
        key = TestKeys.client(environment, "graceful-stop");
    }

    @Autowired
    private Environment environment;

    @TempDir
    private Path files;

    @AfterEach
    void stopWorkers() {
        workers.forEach(ConfigurableApplicationContext::close);
    }

    @Test
    void stoppedWorkerHandsItsRunningJobBackBeforeItsShutdownEnds() throws Exception {
        JobsClient api = new JobsClient(port, key);
        ConfigurableApplicationContext first = startWorker("stopping");
        String jobId = api.uploadRunning(TestFiles.sparse(files.resolve("handed-back.bin"), SIZE), 2 << 20)
                .body().get("jobId").asText();
        assertThat(api.job(jobId).get("state").asText()).isEqualTo("RUNNING");

        long start = System.nanoTime();
        first.close();
        workers.remove(first);
        Duration shutdown = Duration.ofNanos(System.nanoTime() - start);

        assertThat(shutdown).as("the runner called back at once, not at the 30 s phase timeout").isLessThan(Duration.ofSeconds(10));
        assertThat(api.job(jobId).get("state").asText()).as("right after the shutdown").isEqualTo("QUEUED");
        startWorker("taking-over");
        assertThat(api.awaitState(jobId, "SUCCEEDED", Duration.ofSeconds(60)).get("result").get("size").asLong())
                .isEqualTo(SIZE);
    }

    private ConfigurableApplicationContext startWorker(String instanceId) {
        ConfigurableApplicationContext worker = new SpringApplicationBuilder(ZipfluxApplication.class)
                .run(WorkerJvm.sharedSettings(environment, "--zipflux.jobs.instance-id=" + instanceId)
                        .toArray(String[]::new));
        workers.add(worker);
        return worker;
    }
}
