package io.zipflux;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The README's run command (LocalZipflux, with config/application.yml from its working directory) stops on
 * SIGTERM, the signal and shutdown hooks of Ctrl-C, without an ERROR line and without WARN lines: the embedded
 * broker and PostgreSQL go after the application, and their expected shutdown chatter is turned down.
 */
class LocalRunStopTest {

    private static final Duration START_LIMIT = Duration.ofMinutes(3);

    @TempDir
    Path work;

    @Test
    void theLocalRunStopsWithoutErrorsOrWarnings() throws Exception {
        Files.createDirectories(work.resolve("config"));
        Files.copy(Path.of("..", "config", "application.yml"), work.resolve("config/application.yml"));
        File log = work.resolve("run.log").toFile();
        Process run = new ProcessBuilder(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m",
                "-cp", System.getProperty("java.class.path"), LocalZipflux.class.getName(), "--server.port=0"))
                .directory(work.toFile())
                .redirectErrorStream(true)
                .redirectOutput(log)
                .start();
        try {
            awaitFile(run, work.resolve("data/local-admin.key"));
            long started = Files.size(log.toPath());

            run.destroy();

            assertThat(run.waitFor(60, TimeUnit.SECONDS)).as("the local run ended within 60 s of SIGTERM").isTrue();
            String all = Files.readString(log.toPath());
            String stopping = all.substring((int) started);
            assertThat(stopping).as("the shutdown was logged (positive control)")
                    .contains("Stopping the local Kafka broker and PostgreSQL");
            assertThat(lines(all, " ERROR ")).as("ERROR lines of the whole run").isEmpty();
            assertThat(lines(stopping, " WARN ")).as("WARN lines after SIGTERM").isEmpty();
        }
        finally {
            run.destroyForcibly();
        }
    }

    /** The local run writes its admin key once the application has started. */
    private static void awaitFile(Process run, Path file) throws Exception {
        long deadline = System.nanoTime() + START_LIMIT.toNanos();
        while (!Files.exists(file)) {
            assertThat(run.isAlive()).as("the local run is alive").isTrue();
            assertThat(System.nanoTime()).as("the local run started within %s", START_LIMIT).isLessThan(deadline);
            Thread.sleep(200);
        }
    }

    private static List<String> lines(String log, String level) {
        return log.lines().filter(line -> line.contains(level)).toList();
    }
}
