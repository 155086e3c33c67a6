package io.zipflux.system;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;

/** The background health checks' settings are bound with their defaults and checked at start. */
class HealthPropertiesTest {

    private final ApplicationContextRunner context = new ApplicationContextRunner()
            .withUserConfiguration(Settings.class);

    @Configuration(proxyBeanMethods = false)
    @EnableConfigurationProperties(HealthProperties.class)
    static class Settings {
    }

    @Test
    void defaultsAreFiveSecondsApartWithTwoSecondsEach() {
        context.run(started -> {
            HealthProperties health = started.getBean(HealthProperties.class);
            assertThat(health.interval()).isEqualTo(Duration.ofSeconds(5));
            assertThat(health.timeout()).isEqualTo(Duration.ofSeconds(2));
        });
        context.withPropertyValues("zipflux.health.interval=750ms", "zipflux.health.timeout=1s")
                .run(started -> assertThat(started.getBean(HealthProperties.class))
                        .isEqualTo(new HealthProperties(Duration.ofMillis(750), Duration.ofSeconds(1))));
    }

    @Test
    void tooShortAnIntervalOrTimeoutStopsTheStartNamingIt() {
        context.withPropertyValues("zipflux.health.interval=10ms")
                .run(started -> assertThat(started).hasFailed().getFailure().rootCause()
                        .hasMessageContaining("zipflux.health.interval must be at least 100ms"));
        context.withPropertyValues("zipflux.health.timeout=0s")
                .run(started -> assertThat(started).hasFailed().getFailure().rootCause()
                        .hasMessageContaining("zipflux.health.timeout must be at least 100ms"));
    }
}
