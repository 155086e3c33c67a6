package io.zipflux.system;

import org.springframework.context.ApplicationContextInitializer;
import org.springframework.context.ConfigurableApplicationContext;
import java.util.List;
import java.util.stream.Stream;

import org.springframework.boot.logging.LogLevel;
import org.springframework.boot.logging.LoggingSystem;

import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.MutablePropertySources;

/**
 * Points every test context (and the local run) at {@link LocalServices}, unless the environment
 * already names a Kafka broker or a database of its own.
 */
public class LocalServicesInitializer implements ApplicationContextInitializer<ConfigurableApplicationContext> {

    /**
     * Loggers of a broker that a test stops (an outage) or that stops at the end of the run, which then warn once per
     * partition and index ("Failed to close offsetIndex", "Failed to flush directory"): expected, and hundreds of
     * lines in a test run. Their errors still show.
     */
    private static final List<String> BROKER_SHUTDOWN = List.of(
            "org.apache.kafka.storage.internals.log.LogSegment",
            "org.apache.kafka.common.utils.Utils",
            "kafka.log.LogManager");

    @Override
    public void initialize(ConfigurableApplicationContext context) {
        LoggingSystem logging = LoggingSystem.get(context.getClassLoader());
        BROKER_SHUTDOWN.forEach(logger -> logging.setLogLevel(logger, LogLevel.ERROR));
        var environment = context.getEnvironment();
        if (!environment.getProperty("zipflux.local-services", Boolean.class, true)) {
            return;
        }
        MutablePropertySources sources = environment.getPropertySources();
        if (sources.contains("localServices")) {
            return;
        }
        MapPropertySource local = new MapPropertySource("localServices", LocalServices.get().properties());
        // Below what a test or the command line sets explicitly, above everything else.
        String above = Stream.of("Inlined Test Properties", "commandLineArgs")
                .filter(sources::contains)
                .reduce((first, second) -> sources.precedenceOf(sources.get(first)) > sources.precedenceOf(sources.get(second)) ? first : second)
                .orElse(null);
        if (above == null) {
            sources.addFirst(local);
        }
        else {
            sources.addAfter(above, local);
        }
    }
}
