package io.zipflux.job;

import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;
import java.util.stream.Collectors;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;

import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;
import org.springframework.transaction.reactive.TransactionalOperator;

import io.zipflux.system.DatabaseMigrations;

/**
 * Deletes jobs that ended more than {@code zipflux.jobs.retention} ago, with their files: at most
 * {@code retention-batch} jobs per sweep interval, by one instance at a time (a PostgreSQL advisory
 * lock held by the batch's transaction; the others skip that sweep). Files go first and the row
 * only once they are gone, so no file is ever left without its job; a job whose files cannot be
 * removed keeps its row for a later sweep.
 */
@Component
class JobRetention implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(JobRetention.class);

    private final JobRepository jobs;

    private final Map<String, JobFiles> filesByType;

    private final TransactionalOperator transaction;

    private final DatabaseMigrations migrations;

    private final JobsProperties properties;

    private final MeterRegistry registry;

    private Disposable sweeping;

    JobRetention(JobRepository jobs, List<JobFiles> files, TransactionalOperator transaction, DatabaseMigrations migrations,
            JobsProperties properties, MeterRegistry registry) {
        this.jobs = jobs;
        this.filesByType = files.stream().collect(Collectors.toMap(JobFiles::type, Function.identity()));
        this.transaction = transaction;
        this.migrations = migrations;
        this.properties = properties;
        this.registry = registry;
    }

    /** A loop of its own, so that removing many files never delays the sweeper's lease and publish checks. */
    @Override
    public void start() {
        sweeping = migrations.ticksOnceReady(properties.sweepInterval())
                .concatMap(tick -> sweep(), 1)
                .subscribe();
    }

    /** One batch, if this instance gets the lock; answers how many jobs it deleted. */
    Mono<Long> sweep() {
        return transaction.transactional(jobs.tryRetentionLock()
                        .filter(Boolean::booleanValue)
                        .flatMap(locked -> deleteBatch()))
                .onErrorResume(error -> {
                    log.warn("Job retention sweep failed: {}", error.toString());
                    return Mono.empty();
                });
    }

    private Mono<Long> deleteBatch() {
        return jobs.endedBefore(properties.retention(), properties.retentionBatch())
                .concatMap(this::deleteFiles, 1)
                .collectList()
                .filter(ids -> !ids.isEmpty())
                .flatMap(ids -> jobs.delete(ids)
                        .doOnNext(type -> counter("zipflux.jobs.deleted", type,
                                "Ended jobs deleted with their files after the retention, by this instance").increment())
                        .count())
                .doOnNext(deleted -> log.info("Retention deleted {} jobs that ended more than {} ago (batch of at most {})",
                        deleted, properties.retention(), properties.retentionBatch()));
    }

    /** The job's id once its files are gone; empty (the row stays) when one could not be removed. */
    private Mono<UUID> deleteFiles(Job job) {
        JobFiles files = filesByType.get(job.type());
        // Deferred: a job whose parameters do not say where its files are fails alone, not its batch.
        Mono<Void> deleted = files == null ? Mono.empty() : Mono.defer(() -> files.deleteFiles(job));
        return deleted.thenReturn(job.id())
                .onErrorResume(error -> kept(job, error));
    }

    private Mono<UUID> kept(Job job, Throwable error) {
        counter("zipflux.jobs.retention.failures", job.type(),
                "Ended jobs past the retention whose files could not be removed (kept for a later sweep)").increment();
        return jobs.markDeleteFailed(job.id())
                .doOnNext(first -> {
                    if (first) {
                        log.warn("Job {} is past its retention, but its files could not be removed; kept for a later "
                                + "sweep: {}", job.id(), error.toString());
                    }
                    else {
                        log.debug("Job {}: files still not removable: {}", job.id(), error.toString());
                    }
                })
                .then(Mono.<UUID>empty());
    }

    private Counter counter(String name, String type, String description) {
        return Counter.builder(name)
                .description(description)
                .tag("type", type)
                .register(registry);
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
