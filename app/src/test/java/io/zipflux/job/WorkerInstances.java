package io.zipflux.job;

import java.util.ArrayList;
import java.util.List;

import org.springframework.core.env.Environment;

/** Arguments of another instance that joins a test's instance: its broker, database and topics, any port. */
final class WorkerInstances {

    private WorkerInstances() {
    }

    /** The shared settings of the test context {@code environment}, then {@code more}. */
    static List<String> arguments(Environment environment, String... more) {
        List<String> arguments = new ArrayList<>(List.of(
                "--server.port=0",
                "--zipflux.local-services=false",
                "--spring.kafka.bootstrap-servers=" + environment.getRequiredProperty("spring.kafka.bootstrap-servers"),
                "--spring.r2dbc.url=" + environment.getRequiredProperty("spring.r2dbc.url"),
                "--spring.r2dbc.username=postgres",
                "--spring.r2dbc.password=postgres",
                "--zipflux.jobs.topic-prefix=" + environment.getRequiredProperty("zipflux.jobs.topic-prefix"),
                "--zipflux.jobs.hash.max-rate=20MB",
                "--zipflux.archive.photos-dir=" + System.getProperty("java.io.tmpdir") + "/zipflux-test-photos"));
        arguments.addAll(List.of(more));
        return arguments;
    }
}
