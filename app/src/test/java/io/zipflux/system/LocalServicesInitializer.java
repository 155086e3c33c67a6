package io.zipflux.system;

import org.springframework.context.ApplicationContextInitializer;
import org.springframework.context.ConfigurableApplicationContext;
import java.util.stream.Stream;

import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.MutablePropertySources;

/**
 * Points every test context (and the local run) at {@link LocalServices}, unless the environment
 * already names a Kafka broker or a database of its own.
 */
public class LocalServicesInitializer implements ApplicationContextInitializer<ConfigurableApplicationContext> {

    @Override
    public void initialize(ConfigurableApplicationContext context) {
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
