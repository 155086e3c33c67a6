package io.zipflux.job;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;

/** The job settings are bound and validated at start: a value that would break every request stops the start instead. */
class JobsPropertiesTest {

    private final ApplicationContextRunner context = new ApplicationContextRunner()
            .withUserConfiguration(Settings.class);

    @Configuration(proxyBeanMethods = false)
    @EnableConfigurationProperties(JobsProperties.class)
    static class Settings {
    }

    @Test
    void zeroDatabaseStreamsStopsTheStartNamingTheSetting() {
        context.withPropertyValues("zipflux.jobs.database-streams=0")
                .run(started -> assertThat(started).hasFailed()
                        .getFailure()
                        .rootCause()
                        .hasMessageContaining("zipflux.jobs.database-streams")
                        .hasMessageContaining("greater than or equal to 1"));
    }

    @Test
    void databaseStreamsAreBoundWithTheirDefault() {
        context.run(started -> assertThat(started.getBean(JobsProperties.class).databaseStreams()).isEqualTo(4));
        context.withPropertyValues("zipflux.jobs.database-streams=1")
                .run(started -> assertThat(started.getBean(JobsProperties.class).databaseStreams()).isEqualTo(1));
    }

    @Test
    void retentionDefaultsToSevenDaysAndTakesAnyDuration() {
        context.run(started -> assertThat(started.getBean(JobsProperties.class).retention()).isEqualTo(Duration.ofDays(7)));
        context.withPropertyValues("zipflux.jobs.retention=2s")
                .run(started -> assertThat(started.getBean(JobsProperties.class).retention()).isEqualTo(Duration.ofSeconds(2)));
        context.withPropertyValues("zipflux.jobs.retention=PT36H")
                .run(started -> assertThat(started.getBean(JobsProperties.class).retention()).isEqualTo(Duration.ofHours(36)));
    }

    @Test
    void retentionUnderASecondStopsTheStartNamingTheSetting() {
        context.withPropertyValues("zipflux.jobs.retention=0s")
                .run(started -> assertThat(started).hasFailed()
                        .getFailure()
                        .rootCause()
                        .hasMessageContaining("zipflux.jobs.retention must be at least 1s"));
    }

    @Test
    void retentionBatchAndMaxAttemptsAreBoundWithTheirDefaults() {
        context.run(started -> assertThat(started.getBean(JobsProperties.class))
                .extracting(JobsProperties::retentionBatch, JobsProperties::maxAttempts)
                .containsExactly(100, 3));
        context.withPropertyValues("zipflux.jobs.retention-batch=2", "zipflux.jobs.max-attempts=1")
                .run(started -> assertThat(started.getBean(JobsProperties.class))
                        .extracting(JobsProperties::retentionBatch, JobsProperties::maxAttempts)
                        .containsExactly(2, 1));
    }

    @Test
    void zeroMaxAttemptsOrRetentionBatchStopsTheStartNamingTheSetting() {
        context.withPropertyValues("zipflux.jobs.max-attempts=0")
                .run(started -> assertThat(started).hasFailed()
                        .getFailure()
                        .rootCause()
                        .hasMessageContaining("zipflux.jobs.max-attempts"));
        context.withPropertyValues("zipflux.jobs.retention-batch=0")
                .run(started -> assertThat(started).hasFailed()
                        .getFailure()
                        .rootCause()
                        .hasMessageContaining("zipflux.jobs.retention-batch"));
    }
}
