package io.zipflux.job;

import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.stereotype.Component;

/**
 * Carries control from the database to the jobs this instance runs. Every control interval it
 * renews each running job's lease, saves its progress and reads back its state, so a pause or cancel
 * written by any instance reaches the worker within that interval.
 */
@Component
class JobControl {

    private static final Logger log = LoggerFactory.getLogger(JobControl.class);

    private final Map<UUID, RunningJob> running = new ConcurrentHashMap<>();

    private final JobRepository jobs;

    private final JobsProperties properties;

    private final String owner;

    JobControl(JobRepository jobs, JobsProperties properties, InstanceId instanceId) {
        this.jobs = jobs;
        this.properties = properties;
        this.owner = instanceId.value();
    }

    RunningJob register(Job job) {
        RunningJob runningJob = new RunningJob(job);
        running.put(job.id(), runningJob);
        return runningJob;
    }

    void unregister(RunningJob job) {
        running.remove(job.job().id(), job);
    }

    /** The control loop: runs until it is cancelled. */
    Mono<Void> loop() {
        return Flux.interval(properties.controlInterval())
                .onBackpressureDrop()
                .concatMap(tick -> renewAll(), 1)
                .then();
    }

    private Mono<Void> renewAll() {
        return Flux.fromIterable(running.values())
                .flatMap(this::renew, 16)
                .then();
    }

    private Mono<Void> renew(RunningJob job) {
        return jobs.renew(job.job().id(), owner, properties.lease(), job.done(), job.total(), job.interimResult())
                .timeout(properties.lease().dividedBy(2))
                .doOnNext(job::observe)
                .switchIfEmpty(Mono.fromRunnable(() -> lost(job)))
                .onErrorResume(error -> {
                    log.warn("Could not renew job {}: {}", job.job().id(), error.toString());
                    if (job.unconfirmedFor(properties.lease())) {
                        lost(job); // its lease has lapsed: another instance may be running it by now
                    }
                    return Mono.empty();
                })
                .then();
    }

    private void lost(RunningJob job) {
        if (running.get(job.job().id()) != job) {
            return; // the run ended (and saved its outcome) while this renew was under way
        }
        log.warn("Job {} is no longer run by {}; stopping it here", job.job().id(), owner);
        job.lose();
    }
}
