package io.zipflux.job;

import java.time.Duration;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;
import org.springframework.transaction.reactive.TransactionalOperator;

import io.zipflux.system.DatabaseMigrations;
import io.zipflux.system.PublicErrors;

/**
 * Runs the jobs this instance receives: claims each one in the database (a job already taken,
 * finished or cancelled is skipped), runs its worker under {@link JobControl}, saves the outcome,
 * and only then acknowledges the message. A failing job never stops the loop.
 */
@Component
class JobRunner implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(JobRunner.class);

    /** How long a stopping instance tries to hand its jobs back. */
    private static final Duration RELEASE_TIMEOUT = Duration.ofSeconds(5);

    private final List<JobWorker> workers;

    private final JobBus bus;

    private final JobRepository jobs;

    private final JobControl control;

    private final JobMetrics metrics;

    private final DatabaseMigrations migrations;

    private final JobsProperties properties;

    private final TransactionalOperator transaction;

    private final String owner;

    /** The running loops (control and consumers), null while stopped. */
    private volatile Disposable loops;

    JobRunner(List<JobWorker> workers, JobBus bus, JobRepository jobs, JobControl control, JobMetrics metrics,
            DatabaseMigrations migrations, JobsProperties properties, TransactionalOperator transaction,
            InstanceId instanceId) {
        this.workers = workers;
        this.bus = bus;
        this.jobs = jobs;
        this.control = control;
        this.metrics = metrics;
        this.migrations = migrations;
        this.properties = properties;
        this.transaction = transaction;
        this.owner = instanceId.value();
    }

    /** Control runs on every instance (attached jobs run wherever their input arrives); consumers only on workers. */
    @Override
    public void start() {
        loops = migrations.whenReady()
                .flatMapMany(ready -> Flux.merge(control.loop(), consumers()))
                .subscribe(null, error -> log.error("Instance {} stopped running jobs", owner, error));
    }

    private Flux<Void> consumers() {
        if (!properties.workersEnabled()) {
            return Flux.empty();
        }
        log.info("Instance {} runs jobs of types {}", owner, workers.stream().map(JobWorker::type).toList());
        return Flux.fromIterable(workers)
                .flatMap(this::consume);
    }

    private Mono<Void> consume(JobWorker worker) {
        return bus.deliveries(worker.type())
                .flatMap(delivery -> handle(worker, delivery)
                        .doFinally(signal -> delivery.acknowledge()), properties.concurrency())
                .then();
    }

    private Mono<Void> handle(JobWorker worker, JobBus.Delivery delivery) {
        return jobs.claim(delivery.jobId(), owner, properties.lease(), properties.maxAttempts())
                .flatMap(job -> run(worker, job).then())
                .switchIfEmpty(Mono.defer(() -> notClaimed(worker, delivery)))
                .onErrorResume(error -> {
                    log.error("Job {} could not be handled; it will be picked up again", delivery.jobId(), error);
                    return Mono.empty();
                });
    }

    /** Taken elsewhere, or already ended (cancelled while queued, say): an ended job still gets its clean-up. */
    private Mono<Void> notClaimed(JobWorker worker, JobBus.Delivery delivery) {
        return jobs.find(delivery.jobId())
                .filter(job -> job.state().isTerminal())
                .flatMap(job -> ended(worker, job, job.state()));
    }

    /** How a run ended: its final state, and what to save (nothing when it was stopped from outside). */
    private record Outcome(JobState state, JsonNode result, String error, boolean save) {
    }

    /** Runs a job this instance has claimed, under control, and saves how it ended; answers that state. */
    Mono<JobState> run(JobWorker worker, Job job) {
        RunningJob running = control.register(job);
        long start = System.nanoTime();
        return attempt(worker, running)
                .onErrorResume(JobStoppedException.class, stopped -> stopped(job, stopped))
                .onErrorResume(error -> Mono.just(failed(job, error)))
                // The run is over: stop renewing first, or a renew racing the save would see the job as lost.
                .doOnNext(outcome -> control.unregister(running))
                .flatMap(outcome -> outcome.save() ? save(running, outcome) : Mono.just(outcome.state()))
                .doOnNext(state -> metrics.finished(job.type(), state, Duration.ofNanos(System.nanoTime() - start)))
                .flatMap(state -> ended(worker, job, state).thenReturn(state))
                .doFinally(signal -> control.unregister(running));
    }

    private Mono<Outcome> attempt(JobWorker worker, RunningJob running) {
        Mono<Outcome> attempt = Mono.defer(() -> worker.run(running.job(), running))
                .map(result -> new Outcome(JobState.SUCCEEDED, result, null, true))
                .switchIfEmpty(Mono.fromSupplier(() -> new Outcome(JobState.SUCCEEDED, null, null, true)));
        return worker.atomic() ? transaction.transactional(attempt.flatMap(outcome -> saveInRun(running, outcome))) : attempt;
    }

    /**
     * Saves an atomic worker's success in the transaction of its writes; a job cancelled or taken away
     * meanwhile stops the run instead, so its writes roll back.
     */
    private Mono<Outcome> saveInRun(RunningJob running, Outcome outcome) {
        control.unregister(running);
        return save(running, outcome)
                .map(state -> new Outcome(state, null, null, false))
                .switchIfEmpty(Mono.defer(() -> jobs.find(running.job().id())
                        .map(job -> new JobStoppedException(job.state() == JobState.CANCELLED ? JobState.CANCELLED : null))
                        .defaultIfEmpty(new JobStoppedException(null))
                        .flatMap(Mono::error)));
    }

    /** Saves the outcome; a failure to save is not the job's failure: the lease lapses and it runs again. */
    private Mono<JobState> save(RunningJob running, Outcome outcome) {
        return jobs.finish(running.job().id(), owner, outcome.state(), outcome.result(), outcome.error(), running.done(),
                        running.total())
                .map(Job::state);
    }

    /** The clean-up of an ended job that no run of this instance ends (the sweeper's find). */
    Mono<Void> cleanUp(Job job) {
        return Flux.fromIterable(workers)
                .filter(worker -> worker.type().equals(job.type()))
                .concatMap(worker -> ended(worker, job, job.state()))
                .then();
    }

    private Mono<Void> ended(JobWorker worker, Job job, JobState state) {
        return worker.ended(job, state)
                .onErrorResume(error -> {
                    log.warn("Clean-up after job {} failed", job.id(), error);
                    return Mono.empty();
                });
    }

    /** Cancelled: the state is already saved. Taken over by another instance: nothing is ours to do. */
    private Mono<Outcome> stopped(Job job, JobStoppedException stopped) {
        if (stopped.state() == null) {
            return Mono.empty();
        }
        log.info("Job {} stopped: {}", job.id(), stopped.getMessage());
        return Mono.just(new Outcome(stopped.state(), null, null, false));
    }

    private static Outcome failed(Job job, Throwable error) {
        log.warn("Job {} failed", job.id(), error);
        return new Outcome(JobState.FAILED, null, PublicErrors.describe(error), true);
    }

    @Override
    public void stop() {
        stop(() -> { });
    }

    /** Stops taking jobs, then hands this instance's jobs back (queued again, or failed if attached); then {@code callback}. */
    @Override
    public void stop(Runnable callback) {
        Disposable running = loops;
        loops = null;
        if (running != null) {
            running.dispose();
        }
        if (!migrations.ready()) {
            callback.run();
            return;
        }
        jobs.release(owner)
                .timeout(RELEASE_TIMEOUT)
                .onErrorResume(error -> {
                    log.warn("Instance {} could not hand its jobs back; their leases will lapse: {}", owner, error.toString());
                    return Mono.empty();
                })
                .doFinally(signal -> callback.run())
                .subscribe();
    }

    @Override
    public boolean isRunning() {
        return loops != null;
    }
}
