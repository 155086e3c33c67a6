package io.zipflux.job.urlarchive;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.ConfigurableApplicationContext;

import io.zipflux.ZipfluxApplication;

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

    private static Process worker;

    private static ConfigurableApplicationContext secondWorker;

    private static TestOrigin origin;

    @LocalServerPort
    private int port;

    @Value("${spring.r2dbc.url}")
    private String r2dbcUrl;

    @Value("${spring.kafka.bootstrap-servers}")
    private String kafka;

    @Value("${zipflux.jobs.topic-prefix}")
    private String topicPrefix;

    @AfterAll
    static void stopAll() {
        if (worker != null) {
            worker.destroyForcibly();
        }
        if (secondWorker != null) {
            secondWorker.close();
        }
        if (origin != null) {
            origin.close();
        }
    }

    private List<String> workerSettings() {
        return List.of(
                "--server.port=0",
                "--zipflux.local-services=false",
                "--spring.kafka.bootstrap-servers=" + kafka,
                "--spring.r2dbc.url=" + r2dbcUrl,
                "--spring.r2dbc.username=postgres",
                "--spring.r2dbc.password=postgres",
                "--zipflux.jobs.topic-prefix=" + topicPrefix,
                "--zipflux.jobs.lease=3s",
                "--zipflux.fetch.allowed-addresses=127.0.0.1/32",
                "--zipflux.data-dir=" + System.getProperty("java.io.tmpdir") + "/zipflux-test-data",
                "--zipflux.archive.photos-dir=" + System.getProperty("java.io.tmpdir") + "/zipflux-test-photos");
    }

    @Test
    void jobOfAWorkerKilledMidFetchResumesItsPartialFilesAndSucceedsOnce() throws Exception {
        origin = TestOrigin.start();
        TestOrigin.File first = origin.file("first.bin", 24 * MIB);
        TestOrigin.File second = origin.file("second.bin", 24 * MIB);
        first.chunkDelay = Duration.ofMillis(2);
        second.chunkDelay = Duration.ofMillis(2);
        startWorkerJvm();
        UrlArchives archives = new UrlArchives(port);
        String jobId = archives.start(UrlArchives.entries(origin.url("first.bin"), origin.url("second.bin")));
        UrlArchiveControlTest.awaitServed(first, 8L * MIB);
        UrlArchiveControlTest.awaitServed(second, 8L * MIB);

        worker.destroyForcibly();
        assertThat(worker.waitFor(10, TimeUnit.SECONDS)).isTrue();
        long servedBeforeKill = first.served.get() + second.served.get();
        secondWorker = new SpringApplicationBuilder(ZipfluxApplication.class).run(workerSettings().toArray(String[]::new));

        archives.await(jobId, "SUCCEEDED");
        assertThat(attempts(UUID.fromString(jobId))).as("runs: the killed one and the finished one").isEqualTo(2);
        archives.assertArchive(jobId, Map.of("first.bin", first.sha256(), "second.bin", second.sha256()));
        for (TestOrigin.File file : List.of(first, second)) {
            assertThat(file.ranges.get(file.ranges.size() - 1)).as("the last request resumes").startsWith("bytes=");
            assertThat(file.served.get()).as("resumed, not fetched again").isLessThan(36L * MIB);
        }
        assertThat(servedBeforeKill).isGreaterThanOrEqualTo(16L * MIB);
    }

    private void startWorkerJvm() throws Exception {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m",
                "-cp", System.getProperty("java.class.path"), ZipfluxApplication.class.getName(),
                "--zipflux.jobs.instance-id=url-worker-jvm"));
        command.addAll(workerSettings());
        File log = Files.createTempFile("zipflux-url-worker", ".log").toFile();
        worker = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log).start();
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (!Files.readString(log.toPath()).contains("Instance url-worker-jvm runs jobs")) {
            assertThat(worker.isAlive()).as("worker JVM alive; its log:%n%s", Files.readString(log.toPath())).isTrue();
            assertThat(System.nanoTime()).as("worker JVM started").isLessThan(deadline);
            Thread.sleep(100);
        }
    }

    private int attempts(UUID jobId) throws Exception {
        String jdbc = r2dbcUrl.replaceFirst("^r2dbc:", "jdbc:");
        try (Connection connection = DriverManager.getConnection(jdbc, "postgres", "postgres");
             PreparedStatement query = connection.prepareStatement("SELECT attempts FROM jobs WHERE id = ?")) {
            query.setObject(1, jobId);
            try (ResultSet row = query.executeQuery()) {
                assertThat(row.next()).isTrue();
                return row.getInt(1);
            }
        }
    }
}
