package io.zipflux.job.idempotency;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;

/** The idempotency settings are bound with their defaults, and one that would break every key stops the start naming it. */
class IdempotencyPropertiesTest {

    private final ApplicationContextRunner context = new ApplicationContextRunner()
            .withUserConfiguration(Settings.class);

    @Configuration(proxyBeanMethods = false)
    @EnableConfigurationProperties(IdempotencyProperties.class)
    static class Settings {
    }

    @Test
    void defaultsAreADayAMinuteAndAThousand() {
        context.run(started -> {
            IdempotencyProperties properties = started.getBean(IdempotencyProperties.class);
            assertThat(properties.window()).isEqualTo(Duration.ofHours(24));
            assertThat(properties.cleanupInterval()).isEqualTo(Duration.ofMinutes(1));
            assertThat(properties.cleanupBatchSize()).isEqualTo(1000);
        });
        context.withPropertyValues("zipflux.jobs.idempotency.window=2s")
                .run(started -> assertThat(started.getBean(IdempotencyProperties.class).window()).isEqualTo(Duration.ofSeconds(2)));
    }

    @Test
    void aWindowUnderASecondStopsTheStartNamingTheSetting() {
        context.withPropertyValues("zipflux.jobs.idempotency.window=0s")
                .run(started -> assertThat(started).hasFailed()
                        .getFailure()
                        .rootCause()
                        .hasMessageContaining("zipflux.jobs.idempotency.window must be at least 1s"));
    }

    @Test
    void aBatchOfZeroStopsTheStartNamingTheSetting() {
        context.withPropertyValues("zipflux.jobs.idempotency.cleanup-batch-size=0")
                .run(started -> assertThat(started).hasFailed()
                        .getFailure()
                        .rootCause()
                        .hasMessageContaining("zipflux.jobs.idempotency.cleanup-batch-size"));
    }
}
