package io.zipflux.chaos;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One zipflux instance of the chaos run: {@code java -jar zipflux.jar} when a jar is given, else the
 * service's main class on the test classpath (the test suite runs before the jar exists), configured by
 * the environment (DESIGN §0), on a fixed port so that it comes back where clients expect it.
 */
final class ChaosInstance {

    private final String name;

    private final int port;

    private final ChildProcess process;

    private ChaosInstance(String name, int port, ChildProcess process) {
        this.name = name;
        this.port = port;
        this.process = process;
    }

    /** The instance {@code name} with the shared {@code environment} (broker, database, data folder, limits). */
    static ChaosInstance create(String name, Path home, Path jar, Map<String, String> environment) throws Exception {
        int port = Ports.free();
        Map<String, String> own = new LinkedHashMap<>(environment);
        own.put("SERVER_PORT", Integer.toString(port));
        own.put("SERVER_ADDRESS", "127.0.0.1");
        own.put("ZIPFLUX_JOBS_INSTANCE_ID", name);
        return new ChaosInstance(name, port, new ChildProcess(name, command(jar), own, home.resolve(name)));
    }

    /** The command of an instance, or of a {@code keys} command with {@code arguments}. */
    static List<String> command(Path jar, String... arguments) {
        // C1 only and the serial collector: instances start again faster on a busy machine (jobs are rate-limited anyway).
        List<String> options = List.of("-Xmx256m", "-XX:MaxDirectMemorySize=256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1");
        List<String> command;
        if (jar != null) {
            command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
            command.addAll(options);
            command.addAll(List.of("-jar", jar.toString()));
        }
        else {
            // The test classpath registers the embedded services' initializer: it must stay off here.
            command = new ArrayList<>(ChildProcess.javaCommand(options, "io.zipflux.ZipfluxApplication"));
        }
        command.addAll(List.of(arguments));
        if (jar == null) {
            command.add("--zipflux.local-services=false");
        }
        return command;
    }

    String name() {
        return name;
    }

    String baseUrl() {
        return "http://127.0.0.1:" + port;
    }

    boolean isAlive() {
        return process.isAlive();
    }

    void start() throws Exception {
        process.start();
    }

    /** Waits until this instance runs jobs (its own log says so since its last start). */
    void awaitRunningJobs(Duration limit) throws Exception {
        long deadline = System.nanoTime() + limit.toNanos();
        while (!process.logSinceStartContains("Instance " + name + " runs jobs")) {
            if (!process.isAlive()) {
                throw new IllegalStateException(name + " ended during start-up; see " + process.log());
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(name + " did not run jobs within " + limit + "; see " + process.log());
            }
            Thread.sleep(200);
        }
    }

    void kill() throws InterruptedException {
        process.kill();
    }

    Path log() {
        return process.log();
    }
}
