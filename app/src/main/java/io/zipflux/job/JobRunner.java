package io.zipflux.job;

import java.time.Duration;
import java.util.List;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;
import org.springframework.transaction.reactive.TransactionalOperator;
import org.springframework.web.ErrorResponseException;

import io.zipflux.system.DatabaseMigrations;

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

    private final DatabaseRetries retries;

    private final String owner;

    /** The running loops (control and consumers), null while stopped. */
    private volatile Disposable loops;

    JobRunner(List<JobWorker> workers, JobBus bus, JobRepository jobs, JobControl control, JobMetrics metrics,
            DatabaseMigrations migrations, JobsProperties properties, TransactionalOperator transaction,
            InstanceId instanceId, DatabaseRetries retries) {
        this.workers = workers;
        this.bus = bus;
        this.jobs = jobs;
        this.control = control;
        this.metrics = metrics;
        this.migrations = migrations;
        this.properties = properties;
        this.transaction = transaction;
        this.retries = retries;
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
                    if (JobStoreErrors.isTransient(error)) {
                        log.warn("Job {} could not be handled; it will be picked up again: {}", delivery.jobId(), error.toString());
                    }
                    else {
                        log.error("Job {} could not be handled; it will be picked up again", delivery.jobId(), error);
                    }
                    return Mono.empty();
                });
    }

    /** Taken elsewhere, or already ended (cancelled while queued, say): an ended job still gets its clean-up. */
    private Mono<Void> notClaimed(JobWorker worker, JobBus.Delivery delivery) {
        return jobs.find(delivery.jobId())
                .filter(job -> job.state().isTerminal())
                .flatMap(job -> ended(worker, job, job.state()));
    }

    /** Runs a job this instance has claimed, under control, and saves how it ended; answers that state. */
    Mono<JobState> run(JobWorker worker, Job job) {
        return run(worker, job, false);
    }

    /**
     * The same for a run whose caller waits for it (an attached job's request): a run that fails on its input
     * (a 4xx) or loses the database under its transaction (503) is saved FAILED, and the caller gets that error.
     */
    Mono<JobState> runForCaller(JobWorker worker, Job job) {
        return run(worker, job, true);
    }

    private Mono<JobState> run(JobWorker worker, Job job, boolean forCaller) {
        RunningJob running = control.register(job);
        long start = System.nanoTime();
        return attempt(worker, running)
                .onErrorResume(JobStoppedException.class, stopped -> stopped(job, stopped))
                .onErrorResume(error -> Mono.just(RunOutcome.failed(job, error, forCaller)))
                // The run is over: stop renewing first, or a renew racing the save would see the job as lost.
                .doOnNext(outcome -> control.unregister(running))
                .flatMap(outcome -> end(worker, running, outcome, start))
                .doFinally(signal -> control.unregister(running));
    }

    /** Saves the outcome, counts it and cleans up; then answers its state, or the outcome's answer for the caller. */
    private Mono<JobState> end(JobWorker worker, RunningJob running, RunOutcome outcome, long start) {
        Job job = running.job();
        Mono<JobState> ended = (outcome.save() ? save(running, outcome) : Mono.just(outcome.state()))
                .doOnNext(state -> metrics.finished(job.type(), state, Duration.ofNanos(System.nanoTime() - start)))
                .flatMap(state -> ended(worker, job, state).thenReturn(state));
        if (outcome.answer() == null) {
            return ended;
        }
        if (outcome.answer() instanceof ErrorResponseException answer) {
            answer.getBody().setProperty("jobId", job.id().toString());
        }
        return ended.onErrorResume(error -> {
                    log.warn("Job {} stays RUNNING until its lease lapses: {}", job.id(), error.toString());
                    return Mono.empty();
                })
                .then(Mono.error(outcome.answer()));
    }

    private Mono<RunOutcome> attempt(JobWorker worker, RunningJob running) {
        Mono<RunOutcome> attempt = Mono.defer(() -> worker.run(running.job(), running))
                .map(result -> new RunOutcome(JobState.SUCCEEDED, result, null, true))
                .switchIfEmpty(Mono.fromSupplier(() -> new RunOutcome(JobState.SUCCEEDED, null, null, true)));
        // An atomic run's input came once, with its request: it cannot run again, so a lost transaction fails it.
        return worker.atomic() ? transaction.transactional(attempt.flatMap(outcome -> saveInRun(running, outcome)))
                : retries.run(running, attempt);
    }

    /**
     * Saves an atomic worker's success in the transaction of its writes; a job cancelled or taken away
     * meanwhile stops the run instead, so its writes roll back.
     */
    private Mono<RunOutcome> saveInRun(RunningJob running, RunOutcome outcome) {
        control.unregister(running);
        return save(running, outcome)
                .map(state -> new RunOutcome(state, null, null, false))
                .switchIfEmpty(Mono.defer(() -> jobs.find(running.job().id())
                        .map(job -> new JobStoppedException(job.state() == JobState.CANCELLED ? JobState.CANCELLED : null))
                        .defaultIfEmpty(new JobStoppedException(null))
                        .flatMap(Mono::error)));
    }

    /**
     * Saves the outcome, retried after a transient database fault; a failure to save is not the job's failure:
     * the lease lapses and it runs again.
     */
    private Mono<JobState> save(RunningJob running, RunOutcome outcome) {
        return retries.write("saving job " + running.job().id(), Mono.defer(() -> jobs.finish(running.job().id(), owner,
                        outcome.state(), outcome.result(), outcome.error(), running.done(), running.total())))
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
    private Mono<RunOutcome> stopped(Job job, JobStoppedException stopped) {
        if (stopped.state() == null) {
            return Mono.empty();
        }
        log.info("Job {} stopped: {}", job.id(), stopped.getMessage());
        return Mono.just(new RunOutcome(stopped.state(), null, null, false));
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
