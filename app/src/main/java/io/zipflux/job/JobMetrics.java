package io.zipflux.job;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.ToDoubleFunction;
import java.util.stream.Collectors;
import java.util.stream.DoubleStream;

import io.micrometer.core.instrument.Clock;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.stereotype.Component;

/**
 * Job metrics. Durations ({@code zipflux_jobs_duration_seconds}, a histogram) are of the runs on this
 * instance: sum them across instances. Counts ({@code zipflux_jobs{type,state}}) and the age of the
 * oldest queued job ({@code zipflux_jobs_queued_oldest_seconds{type}}) are of the whole cluster, read
 * from the database by every instance: take their {@code max} across instances, never their sum. Every
 * instance publishes them, so they survive the loss of any one; an instance whose reads stopped
 * (its database unreachable) publishes NaN, which {@code max} passes over, rather than stale figures.
 */
@Component
class JobMetrics {

    /** From a second (a small hash) to hours (a large export or archive). */
    private static final Duration[] DURATION_BUCKETS = DoubleStream.of(0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600,
                    1200, 1800, 3600, 7200, 14_400, 28_800)
            .mapToObj(seconds -> Duration.ofMillis(Math.round(seconds * 1000)))
            .toArray(Duration[]::new);

    /** Refreshes this many sweeps apart count as lapsed. */
    private static final int MISSED_SWEEPS = 5;

    private final MeterRegistry registry;

    private final Clock clock;

    private final long staleAfterMillis;

    /** By type: the latest counts by state, replaced whole at each refresh. */
    private final Map<String, AtomicReference<Map<JobState, JobCount>>> counts = new ConcurrentHashMap<>();

    private volatile long refreshedAt;

    JobMetrics(MeterRegistry registry, JobsProperties properties) {
        this.registry = registry;
        this.clock = registry.config().clock();
        this.staleAfterMillis = Math.max(10_000, properties.sweepInterval().toMillis() * MISSED_SWEEPS);
    }

    void finished(String type, JobState outcome, Duration duration) {
        Timer.builder("zipflux.jobs.duration")
                .description("How long runs on this instance took, by type and outcome (sum across instances)")
                .tag("type", type)
                .tag("outcome", outcome.name())
                .serviceLevelObjectives(DURATION_BUCKETS)
                .register(registry)
                .record(duration);
    }

    /** Sets the gauges to the counts read; pairs no longer present drop to zero. */
    Mono<Void> refreshCounts(Flux<JobCount> typeStateCounts) {
        return typeStateCounts.collect(Collectors.groupingBy(JobCount::type,
                        Collectors.toMap(JobCount::state, count -> count)))
                .doOnNext(fresh -> {
                    fresh.keySet().forEach(this::typeCounts);
                    counts.forEach((type, byState) -> byState.set(fresh.getOrDefault(type, Map.of())));
                    refreshedAt = clock.wallTime();
                })
                .then();
    }

    /** The counts of one type, with a gauge for each state and one for the oldest queued job. */
    private AtomicReference<Map<JobState, JobCount>> typeCounts(String type) {
        return counts.computeIfAbsent(type, key -> {
            AtomicReference<Map<JobState, JobCount>> byState = new AtomicReference<>(Map.of());
            for (JobState state : JobState.values()) {
                Gauge.builder("zipflux.jobs", byState, current -> fresh(current.get(), state, JobCount::jobs))
                        .description("Jobs by type and state in the whole cluster, from the database (max across instances)")
                        .tag("type", type)
                        .tag("state", state.name())
                        .register(registry);
            }
            Gauge.builder("zipflux.jobs.queued.oldest", byState,
                            current -> fresh(current.get(), JobState.QUEUED, JobCount::oldestSeconds))
                    .description("How long the oldest queued job of the cluster has waited for a worker, 0 when none "
                            + "(max across instances)")
                    .tag("type", type)
                    .baseUnit("seconds")
                    .register(registry);
            return byState;
        });
    }

    private double fresh(Map<JobState, JobCount> byState, JobState state, ToDoubleFunction<JobCount> figure) {
        if (clock.wallTime() - refreshedAt > staleAfterMillis) {
            return Double.NaN;
        }
        JobCount count = byState.get(state);
        return count == null ? 0 : figure.applyAsDouble(count);
    }
}
