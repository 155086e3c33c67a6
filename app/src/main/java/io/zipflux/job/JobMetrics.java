package io.zipflux.job;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.stereotype.Component;

/** Job metrics: jobs by type and state (from the database, all instances), and job durations. */
@Component
class JobMetrics {

    private final MeterRegistry registry;

    private final Map<String, AtomicLong> counts = new ConcurrentHashMap<>();

    JobMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    void finished(String type, JobState outcome, Duration duration) {
        Timer.builder("zipflux.jobs.duration")
                .description("How long this instance ran a job, by type and outcome")
                .tag("type", type)
                .tag("outcome", outcome.name())
                .register(registry)
                .record(duration);
    }

    /** Sets the gauges to the counts read; pairs no longer present drop to zero. */
    Mono<Void> refreshCounts(Flux<Map.Entry<String, Long>> typeStateCounts) {
        return typeStateCounts.collectMap(Map.Entry::getKey, Map.Entry::getValue)
                .doOnNext(fresh -> {
                    counts.forEach((key, value) -> value.set(fresh.getOrDefault(key, 0L)));
                    fresh.forEach((key, value) -> gauge(key).set(value));
                })
                .then();
    }

    private AtomicLong gauge(String typeAndState) {
        return counts.computeIfAbsent(typeAndState, key -> {
            AtomicLong value = new AtomicLong();
            String[] parts = key.split("/", 2);
            Gauge.builder("zipflux.jobs", value, AtomicLong::get)
                    .description("Jobs by type and state, across all instances")
                    .tag("type", parts[0])
                    .tag("state", parts[1])
                    .register(registry);
            return value;
        });
    }
}
