package io.zipflux.job;

import java.time.Duration;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;

import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

import io.zipflux.system.DatabaseMigrations;

/**
 * Keeps every accepted job moving, on every instance (each step is one atomic statement, so
 * instances never double up): jobs of lost instances are queued again (or failed, once their runs were
 * abandoned {@code max-attempts} times), queued jobs whose publish was lost are published, jobs paused
 * past the pause timeout are cancelled, and job counts are refreshed.
 */
@Component
class JobSweeper implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(JobSweeper.class);

    /** A new job's own publish gets this long before the sweeper publishes it too. */
    private static final Duration PUBLISH_GRACE = Duration.ofSeconds(2);

    private final JobRepository jobs;

    private final JobService service;

    private final JobMetrics metrics;

    private final DatabaseMigrations migrations;

    private final JobsProperties properties;

    private final JobRunner runner;

    private Disposable sweeping;

    JobSweeper(JobRepository jobs, JobService service, JobMetrics metrics, DatabaseMigrations migrations,
            JobsProperties properties, JobRunner runner) {
        this.jobs = jobs;
        this.service = service;
        this.metrics = metrics;
        this.migrations = migrations;
        this.properties = properties;
        this.runner = runner;
    }

    @Override
    public void start() {
        sweeping = migrations.ticksOnceReady(properties.sweepInterval())
                .concatMap(tick -> sweep(), 1)
                .subscribe();
    }

    Mono<Void> sweep() {
        return cancelOverPaused()
                .then(failPoisoned())
                .then(requeueAbandoned())
                .then(cleanUpEndedWithoutTheirRun())
                .then(publishWaiting())
                .then(metrics.refreshCounts(jobs.countsByTypeAndState()))
                .onErrorResume(error -> {
                    log.warn("Job sweep failed: {}", error.toString());
                    return Mono.empty();
                });
    }

    /** Requeued jobs are left unpublished (published_at NULL); the next step publishes them. Attached ones fail. */
    private Mono<Void> requeueAbandoned() {
        return jobs.requeueAbandoned(properties.maxAttempts())
                .doOnNext(job -> log.warn(job.state() == JobState.FAILED
                        ? "Job {} lost its instance, and its input with it; failed"
                        : "Job {} lost its instance; queued again", job.id()))
                .then();
    }

    /** Jobs whose every run ended with its worker dying: failed, and cleaned up as any failed job. */
    private Mono<Void> failPoisoned() {
        return jobs.failPoisoned(properties.maxAttempts())
                .doOnNext(job -> log.warn("Job {} failed: {}", job.id(), job.error()))
                .concatMap(runner::cleanUp, 1)
                .then();
    }

    /** A job that ended while no run of it was left (its instance lost) still gets its worker's clean-up. */
    private Mono<Void> cleanUpEndedWithoutTheirRun() {
        return jobs.releaseEndedWithoutTheirRun()
                .concatMap(runner::cleanUp, 1)
                .then();
    }

    /** Stops at the first job the broker does not take: while it is down, one timeout per sweep is enough. */
    private Mono<Void> publishWaiting() {
        return jobs.awaitingPublish(Duration.ZERO, PUBLISH_GRACE, properties.republishAfter())
                .concatMap(service::publish, 1)
                .takeWhile(published -> published)
                .then();
    }

    private Mono<Void> cancelOverPaused() {
        return jobs.cancelPausedLongerThan(properties.pauseTimeout())
                .doOnNext(job -> log.info("Job {} was paused longer than {}; cancelled", job.id(), properties.pauseTimeout()))
                .then();
    }

    @Override
    public void stop() {
        if (sweeping != null) {
            sweeping.dispose();
        }
    }

    @Override
    public boolean isRunning() {
        return sweeping != null && !sweeping.isDisposed();
    }
}
