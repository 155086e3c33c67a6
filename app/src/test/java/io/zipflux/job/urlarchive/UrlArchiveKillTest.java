package io.zipflux.job.urlarchive;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.core.env.Environment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.ConfigurableApplicationContext;

import io.zipflux.ZipfluxApplication;
import io.zipflux.job.JobsClient;
import io.zipflux.job.WorkerJvm;
import io.zipflux.security.TestKeys;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A url-archive job whose worker JVM is killed (SIGKILL, no graceful stop) mid-fetch: another
 * instance, sharing the data folder, resumes the partial files from the bytes on disk (the origin's
 * byte count proves it) and the job ends SUCCEEDED once. This test's own instance only serves the API.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT, properties = {
        "zipflux.data-dir=${java.io.tmpdir}/zipflux-test-data",
        "zipflux.archive.photos-dir=${java.io.tmpdir}/zipflux-test-photos",
        "zipflux.jobs.workers-enabled=false",
        "zipflux.jobs.lease=3s",
        "zipflux.fetch.allowed-addresses=127.0.0.1/32",
})
class UrlArchiveKillTest {

    private static final int MIB = 1 << 20;

    private static WorkerJvm worker;

    private static ConfigurableApplicationContext secondWorker;

    private static TestOrigin origin;

    @LocalServerPort
    private int port;

    /** This test's own client key. */
    private String key;

    @BeforeEach
    void clientKey() {
        key = TestKeys.client(environment, "url-archive-kill");
    }

    @Value("${spring.r2dbc.url}")
    private String r2dbcUrl;

    @Autowired
    private Environment environment;

    @AfterAll
    static void stopAll() {
        if (worker != null) {
            worker.close();
        }
        if (secondWorker != null) {
            secondWorker.close();
        }
        if (origin != null) {
            origin.close();
        }
    }

    private List<String> workerSettings() {
        return WorkerJvm.sharedSettings(environment, "--zipflux.fetch.allowed-addresses=127.0.0.1/32");
    }

    @Test
    void jobOfAWorkerKilledMidFetchResumesItsPartialFilesAndSucceedsOnce() throws Exception {
        origin = TestOrigin.start();
        TestOrigin.File first = origin.file("first.bin", 24 * MIB);
        TestOrigin.File second = origin.file("second.bin", 24 * MIB);
        first.chunkDelay = Duration.ofMillis(2);
        second.chunkDelay = Duration.ofMillis(2);
        worker = WorkerJvm.start("url-worker-jvm", workerSettings());
        UrlArchives archives = new UrlArchives(new JobsClient(port, key));
        String jobId = archives.start(UrlArchives.entries(origin.url("first.bin"), origin.url("second.bin")));
        UrlArchiveControlTest.awaitServed(first, 8L * MIB);
        UrlArchiveControlTest.awaitServed(second, 8L * MIB);

        worker.kill();
        long servedBeforeKill = first.served.get() + second.served.get();
        secondWorker = new SpringApplicationBuilder(ZipfluxApplication.class).run(workerSettings().toArray(String[]::new));

        archives.await(jobId, "SUCCEEDED");
        assertThat(WorkerJvm.attempts(r2dbcUrl, UUID.fromString(jobId))).as("runs: the killed one and the finished one").isEqualTo(2);
        archives.assertArchive(jobId, Map.of("first.bin", first.sha256(), "second.bin", second.sha256()));
        for (TestOrigin.File file : List.of(first, second)) {
            assertThat(file.ranges.get(file.ranges.size() - 1)).as("the last request resumes").startsWith("bytes=");
            assertThat(file.served.get()).as("resumed, not fetched again").isLessThan(36L * MIB);
        }
        assertThat(servedBeforeKill).isGreaterThanOrEqualTo(16L * MIB);
    }
}
