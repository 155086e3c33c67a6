package io.zipflux.job;

import java.time.Duration;
import java.util.Map;

import io.micrometer.core.instrument.MockClock;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;

import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What the job metrics show Prometheus: cluster-wide counts for every state of every type seen, and
 * NaN once they are no longer read (so that a max across instances passes over them); durations with
 * buckets from a tenth of a second to eight hours.
 */
class JobMetricsTest {

    private final MockClock clock = new MockClock();

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT,
            new PrometheusRegistry(), clock);

    private final JobMetrics metrics = new JobMetrics(registry, new Binder(new MapConfigurationPropertySource(Map.of()))
            .bindOrCreate("zipflux.jobs", JobsProperties.class));

    @Test
    void everyStateOfATypeSeenIsPublishedWithItsCountAndTheOldestQueuedAge() {
        metrics.refreshCounts(Flux.just(new JobCount("hash", JobState.QUEUED, 3, 12.5),
                new JobCount("hash", JobState.SUCCEEDED, 10, 900))).block();

        assertThat(registry.scrape()).contains(
                "zipflux_jobs{state=\"QUEUED\",type=\"hash\"} 3.0",
                "zipflux_jobs{state=\"RUNNING\",type=\"hash\"} 0.0",
                "zipflux_jobs{state=\"CANCELLED\",type=\"hash\"} 0.0",
                "zipflux_jobs{state=\"SUCCEEDED\",type=\"hash\"} 10.0",
                "zipflux_jobs_queued_oldest_seconds{type=\"hash\"} 12.5");
    }

    @Test
    void aPairNoLongerReadDropsToZero() {
        metrics.refreshCounts(Flux.just(new JobCount("export", JobState.RUNNING, 2, 5))).block();
        metrics.refreshCounts(Flux.just(new JobCount("export", JobState.SUCCEEDED, 2, 5))).block();

        assertThat(registry.scrape()).contains(
                "zipflux_jobs{state=\"RUNNING\",type=\"export\"} 0.0",
                "zipflux_jobs{state=\"SUCCEEDED\",type=\"export\"} 2.0");
    }

    @Test
    void countsNoLongerRefreshedBecomeNaNUntilTheNextRefresh() {
        metrics.refreshCounts(Flux.just(new JobCount("hash", JobState.QUEUED, 1, 30))).block();
        clock.add(Duration.ofSeconds(9));
        assertThat(registry.scrape()).contains("zipflux_jobs{state=\"QUEUED\",type=\"hash\"} 1.0");

        clock.add(Duration.ofSeconds(2));
        assertThat(registry.scrape()).contains("zipflux_jobs{state=\"QUEUED\",type=\"hash\"} NaN",
                "zipflux_jobs_queued_oldest_seconds{type=\"hash\"} NaN");

        metrics.refreshCounts(Flux.just(new JobCount("hash", JobState.QUEUED, 4, 1))).block();
        assertThat(registry.scrape()).contains("zipflux_jobs{state=\"QUEUED\",type=\"hash\"} 4.0");
    }

    @Test
    void durationsAreAHistogramFromATenthOfASecondToEightHours() {
        metrics.finished("export", JobState.SUCCEEDED, Duration.ofMinutes(90));

        assertThat(registry.scrape()).contains(
                "zipflux_jobs_duration_seconds_bucket{outcome=\"SUCCEEDED\",type=\"export\",le=\"0.1\"} 0",
                "zipflux_jobs_duration_seconds_bucket{outcome=\"SUCCEEDED\",type=\"export\",le=\"3600.0\"} 0",
                "zipflux_jobs_duration_seconds_bucket{outcome=\"SUCCEEDED\",type=\"export\",le=\"7200.0\"} 1",
                "zipflux_jobs_duration_seconds_bucket{outcome=\"SUCCEEDED\",type=\"export\",le=\"28800.0\"} 1",
                "zipflux_jobs_duration_seconds_count{outcome=\"SUCCEEDED\",type=\"export\"} 1");
    }
}
