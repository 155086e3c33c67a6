package io.zipflux.job;

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
}
