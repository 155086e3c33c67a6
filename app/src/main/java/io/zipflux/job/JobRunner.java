package io.zipflux.job;

import java.time.Duration;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.Disposables;
import reactor.core.publisher.Mono;

import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

import io.zipflux.system.DatabaseMigrations;

/**
 * Runs the jobs this instance receives: claims each one in the database (a job already taken,
 * finished or cancelled is skipped), runs its worker under {@link JobControl}, saves the outcome,
 * and only then acknowledges the message. A failing job never stops the loop.
 */
@Component
class JobRunner implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(JobRunner.class);

    private final List<JobWorker> workers;

    private final JobBus bus;

    private final JobRepository jobs;

    private final JobControl control;

    private final JobMetrics metrics;

    private final DatabaseMigrations migrations;

    private final JobsProperties properties;

    private final String owner;

    private final Disposable.Composite loops = Disposables.composite();

    private volatile boolean running;

    JobRunner(List<JobWorker> workers, JobBus bus, JobRepository jobs, JobControl control, JobMetrics metrics,
            DatabaseMigrations migrations, JobsProperties properties, InstanceId instanceId) {
        this.workers = workers;
        this.bus = bus;
        this.jobs = jobs;
        this.control = control;
        this.metrics = metrics;
        this.migrations = migrations;
        this.properties = properties;
        this.owner = instanceId.value();
    }

    @Override
    public void start() {
        running = true;
        if (!properties.workersEnabled()) {
            return;
        }
        loops.add(migrations.whenReady().subscribe(ready -> {
            loops.add(control.start());
            workers.forEach(worker -> loops.add(consume(worker)));
            log.info("Instance {} runs jobs of types {}", owner, workers.stream().map(JobWorker::type).toList());
        }));
    }

    private Disposable consume(JobWorker worker) {
        return bus.deliveries(worker.type())
                .flatMap(delivery -> handle(worker, delivery)
                        .doFinally(signal -> delivery.acknowledge()), properties.concurrency())
                .subscribe();
    }

    private Mono<Void> handle(JobWorker worker, JobBus.Delivery delivery) {
        return jobs.claim(delivery.jobId(), owner, properties.lease())
                .flatMap(job -> run(worker, job))
                .onErrorResume(error -> {
                    log.error("Job {} could not be handled; it will be picked up again", delivery.jobId(), error);
                    return Mono.empty();
                });
    }

    private Mono<Void> run(JobWorker worker, Job job) {
        RunningJob running = control.register(job);
        long start = System.nanoTime();
        return Mono.defer(() -> worker.run(job, running))
                .flatMap(result -> finish(running, JobState.SUCCEEDED, result, null))
                .onErrorResume(JobStoppedException.class, stopped -> stopped(running, stopped))
                .onErrorResume(error -> failed(running, error))
                .doOnNext(outcome -> metrics.finished(job.type(), outcome, Duration.ofNanos(System.nanoTime() - start)))
                .flatMap(outcome -> worker.ended(job, outcome)
                        .onErrorResume(error -> {
                            log.warn("Clean-up after job {} failed", job.id(), error);
                            return Mono.empty();
                        }))
                .doFinally(signal -> control.unregister(running))
                .then();
    }

    private Mono<JobState> finish(RunningJob running, JobState outcome, JsonNode result, String error) {
        return jobs.finish(running.job().id(), owner, outcome, result, error, running.done())
                .map(Job::state);
    }

    /** Cancelled: the state is already saved. Taken over by another instance: nothing is ours to do. */
    private Mono<JobState> stopped(RunningJob running, JobStoppedException stopped) {
        if (stopped.state() == null) {
            return Mono.empty();
        }
        log.info("Job {} stopped: {}", running.job().id(), stopped.getMessage());
        return Mono.just(stopped.state());
    }

    private Mono<JobState> failed(RunningJob running, Throwable error) {
        log.warn("Job {} failed", running.job().id(), error);
        String message = error.getMessage() == null ? error.getClass().getSimpleName() : error.getMessage();
        return finish(running, JobState.FAILED, null, message);
    }

    @Override
    public void stop() {
        running = false;
        loops.dispose();
        if (properties.workersEnabled()) {
            jobs.release(owner)
                    .timeout(Duration.ofSeconds(5))
                    .onErrorResume(error -> Mono.empty())
                    .block();
        }
    }

    @Override
    public boolean isRunning() {
        return running;
    }
}
