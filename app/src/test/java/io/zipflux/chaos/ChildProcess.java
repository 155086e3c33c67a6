package io.zipflux.chaos;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A process the chaos run started (a JVM of the test classpath or the jar), its output in a log file
 * that later runs append to: killed with SIGKILL by its own handle, never by name.
 */
final class ChildProcess {

    /**
     * Where every started process's pid is appended (chaos.sh ends those still running, by pid, should this
     * JVM itself be killed); null: nowhere.
     */
    static volatile Path pidFile;

    private final String name;

    private final List<String> command;

    private final Map<String, String> environment;

    private final Path home;

    private final Path log;

    private volatile Process process;

    ChildProcess(String name, List<String> command, Map<String, String> environment, Path home) {
        this.name = name;
        this.command = List.copyOf(command);
        this.environment = Map.copyOf(environment);
        this.home = home;
        this.log = home.resolve(name + ".log");
    }

    /** A JVM on the classpath of this one (the test classpath), with {@code javaOptions}, running {@code main}. */
    static List<String> javaCommand(List<String> javaOptions, String... mainAndArguments) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(javaOptions);
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.addAll(List.of(mainAndArguments));
        return command;
    }

    String name() {
        return name;
    }

    Path log() {
        return log;
    }

    synchronized void start() throws IOException {
        Files.createDirectories(home);
        ProcessBuilder builder = new ProcessBuilder(command).directory(home.toFile()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        builder.environment().putAll(environment);
        Files.writeString(log, "%n==== chaos: start of %s ====%n".formatted(name), java.nio.file.StandardOpenOption.CREATE,
                java.nio.file.StandardOpenOption.APPEND);
        process = builder.start();
        if (pidFile != null) {
            Files.writeString(pidFile, process.pid() + "\n", java.nio.file.StandardOpenOption.CREATE,
                    java.nio.file.StandardOpenOption.APPEND);
        }
    }

    boolean isAlive() {
        Process current = process;
        return current != null && current.isAlive();
    }

    /** SIGKILL, and waits until the process is gone. */
    synchronized void kill() throws InterruptedException {
        Process current = process;
        if (current == null) {
            return;
        }
        current.destroyForcibly();
        if (!current.waitFor(30, TimeUnit.SECONDS)) {
            throw new IllegalStateException(name + " did not end within 30 s of SIGKILL");
        }
    }

    /** Runs the command to its end within {@code seconds}; answers its exit status. */
    int runToEnd(long seconds) throws IOException, InterruptedException {
        start();
        if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
            kill();
            throw new IllegalStateException(name + " did not end within " + seconds + " s; see " + log);
        }
        return process.exitValue();
    }

    /** Whether the log holds {@code text} since the last start. */
    boolean logSinceStartContains(String text) throws IOException {
        String all = Files.readString(log);
        int start = all.lastIndexOf("==== chaos: start of " + name + " ====");
        return all.indexOf(text, Math.max(start, 0)) >= 0;
    }
}
