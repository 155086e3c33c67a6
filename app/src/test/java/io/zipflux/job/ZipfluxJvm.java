package io.zipflux.job;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.zipflux.ZipfluxApplication;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A zipflux instance in a JVM of its own (this test JVM's classpath), on the test's broker and
 * database, so that a test can kill it outright (SIGKILL, no graceful stop).
 */
public final class ZipfluxJvm implements AutoCloseable {

    private final Process process;

    private final Path log;

    private ZipfluxJvm(Process process, Path log) {
        this.process = process;
        this.log = log;
    }

    /**
     * Settings that put an instance on the same broker, database, topics and folders as the test's
     * own, on a free port; for this JVM's in-process instances too.
     */
    public static List<String> sharedSettings(String kafka, String r2dbcUrl, String topicPrefix) {
        return List.of(
                "--server.port=0",
                "--zipflux.local-services=false",
                "--spring.kafka.bootstrap-servers=" + kafka,
                "--spring.r2dbc.url=" + r2dbcUrl,
                "--spring.r2dbc.username=postgres",
                "--spring.r2dbc.password=postgres",
                "--zipflux.jobs.topic-prefix=" + topicPrefix,
                "--zipflux.data-dir=" + System.getProperty("java.io.tmpdir") + "/zipflux-test-data",
                "--zipflux.archive.photos-dir=" + System.getProperty("java.io.tmpdir") + "/zipflux-test-photos");
    }

    /** Starts an instance named {@code instanceId} with {@code settings} and waits until its log says {@code ready}. */
    public static ZipfluxJvm start(String instanceId, List<String> settings, String ready) throws Exception {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m",
                "-cp", System.getProperty("java.class.path"), ZipfluxApplication.class.getName(),
                "--zipflux.jobs.instance-id=" + instanceId));
        command.addAll(settings);
        Path log = Files.createTempFile("zipflux-" + instanceId, ".log");
        ZipfluxJvm jvm = new ZipfluxJvm(new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile())
                .start(), log);
        jvm.awaitLine(ready, Duration.ofSeconds(60));
        return jvm;
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** SIGKILL, and waits for the process to be gone. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        assertThat(process.waitFor(10, TimeUnit.SECONDS)).as("killed JVM gone").isTrue();
    }

    /** The port it listens on, from its log. */
    public int port() throws IOException {
        Matcher started = Pattern.compile("Netty started on port (\\d+)").matcher(Files.readString(log));
        assertThat(started.find()).as("JVM's port in its log").isTrue();
        return Integer.parseInt(started.group(1));
    }

    private void awaitLine(String text, Duration limit) throws Exception {
        long deadline = System.nanoTime() + limit.toNanos();
        while (!Files.readString(log).contains(text)) {
            assertThat(process.isAlive()).as("JVM alive; its log:%n%s", Files.readString(log)).isTrue();
            assertThat(System.nanoTime()).as("JVM said '%s'", text).isLessThan(deadline);
            Thread.sleep(100);
        }
    }

    @Override
    public void close() {
        process.destroyForcibly();
    }
}
