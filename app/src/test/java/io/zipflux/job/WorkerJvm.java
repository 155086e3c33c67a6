package io.zipflux.job;

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
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import org.springframework.core.env.Environment;

import io.zipflux.ZipfluxApplication;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A zipflux instance in a JVM of its own (the test's classpath, {@code -Xmx256m}), on the test's
 * broker and database, that a test can kill outright (SIGKILL, no graceful stop).
 */
public final class WorkerJvm implements AutoCloseable {

    private final Process process;

    private final Path log;

    private WorkerJvm(Process process, Path log) {
        this.process = process;
        this.log = log;
    }

    /**
     * Settings every instance of a test shares with the test's own context {@code test}: the same broker,
     * database, topics and folders, a short lease; then {@code more}.
     */
    public static List<String> sharedSettings(Environment test, String... more) {
        List<String> settings = new ArrayList<>(List.of(
                "--server.port=0",
                "--zipflux.local-services=false",
                "--spring.kafka.bootstrap-servers=" + test.getRequiredProperty("spring.kafka.bootstrap-servers"),
                "--spring.r2dbc.url=" + test.getRequiredProperty("spring.r2dbc.url"),
                "--spring.r2dbc.username=postgres",
                "--spring.r2dbc.password=postgres",
                "--zipflux.jobs.topic-prefix=" + test.getRequiredProperty("zipflux.jobs.topic-prefix"),
                "--zipflux.jobs.lease=3s",
                "--zipflux.data-dir=" + test.getRequiredProperty("zipflux.data-dir"),
                "--zipflux.archive.photos-dir=" + test.getRequiredProperty("zipflux.archive.photos-dir")));
        settings.addAll(List.of(more));
        return settings;
    }

    /** Starts the JVM and waits until it runs jobs. */
    public static WorkerJvm start(String instanceId, List<String> settings) throws Exception {
        // A deadline for a loaded machine (seen: 3 minutes with several test JVMs on two cores; ~10 s alone).
        return start(instanceId, settings, Duration.ofMinutes(3));
    }

    /** Starts the JVM and waits until it runs jobs, at most {@code limit}. */
    public static WorkerJvm start(String instanceId, List<String> settings, Duration limit) throws Exception {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m",
                "-cp", System.getProperty("java.class.path"), ZipfluxApplication.class.getName(),
                "--zipflux.jobs.instance-id=" + instanceId));
        command.addAll(settings);
        File log = Files.createTempFile("zipflux-worker", ".log").toFile();
        WorkerJvm worker = new WorkerJvm(new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log).start(),
                log.toPath());
        try {
            worker.awaitLine("Instance " + instanceId + " runs jobs", limit);
        }
        catch (Exception | AssertionError notStarted) {
            worker.close();
            throw notStarted;
        }
        return worker;
    }

    public Path log() {
        return log;
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** SIGKILL, and waits until the JVM is gone. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        assertThat(process.waitFor(10, TimeUnit.SECONDS)).as("killed worker JVM ended").isTrue();
    }

    @Override
    public void close() {
        process.destroyForcibly();
    }

    private void awaitLine(String text, Duration limit) throws Exception {
        long deadline = System.nanoTime() + limit.toNanos();
        while (!Files.readString(log).contains(text)) {
            assertThat(process.isAlive()).as("worker JVM alive; its log:%n%s", Files.readString(log)).isTrue();
            assertThat(System.nanoTime()).as("worker said '%s'", text).isLessThan(deadline);
            Thread.sleep(100);
        }
    }

    /** How many runs the job has had (its row's {@code attempts}). */
    public static int attempts(String r2dbcUrl, UUID jobId) throws Exception {
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
