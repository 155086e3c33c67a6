package io.zipflux.chaos;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * What one chaos run does: jobs of each type, faults (instance kills at an interval, how long the broker
 * and PostgreSQL stay down), how long submissions are spread over and how long recovery may take.
 *
 * @param jar {@code app/target/zipflux.jar}, or null to run the instances from the test classpath
 */
record ChaosSettings(int jobsPerType, int kills, Duration killInterval, Duration brokerDown, Duration postgresDown,
        Duration submitOver, Duration recoveryLimit, Path jar, Path work, long seed) {

    /** The full run of {@code chaos.sh}: 10 jobs of each type, 10 kills. */
    static ChaosSettings full(Path work, Path jar) {
        return new ChaosSettings(10, 10, Duration.ofSeconds(4), Duration.ofSeconds(5), Duration.ofSeconds(2),
                Duration.ofSeconds(30), Duration.ofSeconds(300), jar, work, System.nanoTime());
    }

    /** The shortened run of the test suite: 2 jobs of each type, 3 kills, one broker and one PostgreSQL restart. */
    static ChaosSettings shortened(Path work) {
        return new ChaosSettings(2, 3, Duration.ofSeconds(3), Duration.ofSeconds(3), Duration.ofSeconds(2),
                Duration.ofSeconds(8), Duration.ofSeconds(180), null, work, System.nanoTime());
    }

    /** The full settings changed by {@code --name=value} arguments (jobs, kills, kill-interval, ... as seconds). */
    static ChaosSettings parse(String[] arguments) {
        Map<String, String> given = new HashMap<>();
        for (String argument : arguments) {
            String[] parts = argument.replaceFirst("^--", "").split("=", 2);
            if (parts.length != 2) {
                throw new IllegalArgumentException("expected --name=value, got " + argument);
            }
            given.put(parts[0], parts[1]);
        }
        Path work = Path.of(given.getOrDefault("work", System.getProperty("java.io.tmpdir") + "/zipflux-chaos"));
        String jar = given.get("jar");
        ChaosSettings full = full(work, jar == null || jar.isEmpty() ? null : Path.of(jar));
        return new ChaosSettings(integer(given, "jobs", full.jobsPerType), integer(given, "kills", full.kills),
                seconds(given, "kill-interval", full.killInterval), seconds(given, "broker-down", full.brokerDown),
                seconds(given, "postgres-down", full.postgresDown), seconds(given, "submit-over", full.submitOver),
                seconds(given, "recovery-limit", full.recoveryLimit), full.jar, work,
                Long.parseLong(given.getOrDefault("seed", Long.toString(full.seed))));
    }

    private static int integer(Map<String, String> given, String name, int otherwise) {
        return given.containsKey(name) ? Integer.parseInt(given.get(name)) : otherwise;
    }

    private static Duration seconds(Map<String, String> given, String name, Duration otherwise) {
        return given.containsKey(name) ? Duration.ofMillis((long) (Double.parseDouble(given.get(name)) * 1000)) : otherwise;
    }
}
