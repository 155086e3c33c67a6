package io.zipflux.job;

import java.time.Duration;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;

import org.springframework.stereotype.Service;

import io.zipflux.security.Caller;

/**
 * Jobs whose input comes with a request (a CSV import's body): created first, so that the client
 * knows the job before it sends anything, then run by the instance that receives the input, under
 * the same control as every job (pause and cancel from any instance). They never travel on Kafka;
 * when their instance is lost they fail, since their input went with it.
 */
@Service
public class AttachedJobs {

    private static final Logger log = LoggerFactory.getLogger(AttachedJobs.class);

    private static final Duration ABANDONED_SAVE_TIMEOUT = Duration.ofSeconds(5);

    private final JobRepository jobs;

    private final JobService service;

    private final JobRunner runner;

    private final JobsProperties properties;

    private final String owner;

    AttachedJobs(JobRepository jobs, JobService service, JobRunner runner, JobsProperties properties,
            InstanceId instanceId) {
        this.jobs = jobs;
        this.service = service;
        this.runner = runner;
        this.properties = properties;
        this.owner = instanceId.value();
    }

    /**
     * A QUEUED job of {@code caller} waiting for its input (429 at the caller's limit); cancelled if none arrives within the pause timeout. Its
     * {@code callbackUrl} (nullable) is checked first (400 when refused).
     */
    public Mono<Job> create(Caller caller, String type, JsonNode params, String unit, String callbackUrl) {
        return service.checkCallback(callbackUrl)
                .then(service.accept(caller, jobs.insert(UUID.randomUUID(), type, caller.name(), params, null, unit,
                        true, callbackUrl)));
    }

    /**
     * Runs {@code worker} on the job {@code id} here, with {@code input}, and answers the job as it
     * ended. 404 unless it is an attached job of the worker's type that {@code caller} may see; 409 unless it still waits for its
     * input. A request that goes away mid-run fails the job (the transaction of an atomic worker rolls back).
     */
    public <I> Mono<Job> run(String id, Caller caller, AttachedWorker<I> worker, I input) {
        return service.get(id, caller)
                .flatMap(job -> service.available(jobs.claimAttached(job.id(), worker.type(), owner, properties.lease()))
                        .switchIfEmpty(Mono.defer(() -> notClaimable(id, job.id(), worker.type()))))
                .flatMap(job -> Mono.usingWhen(Mono.just(job),
                        claimed -> runner.runForCaller(runOf(worker, input), claimed).then(jobs.find(claimed.id())),
                        claimed -> Mono.empty(),
                        (claimed, error) -> Mono.empty(),
                        this::abandoned));
    }

    /** The run of one request: the worker with that request's input. */
    private static <I> JobWorker runOf(AttachedWorker<I> worker, I input) {
        return new JobWorker() {
            @Override
            public String type() {
                return worker.type();
            }

            @Override
            public Mono<JsonNode> run(Job job, JobContext context) {
                return worker.run(job, input, context);
            }

            @Override
            public boolean atomic() {
                return worker.atomic();
            }
        };
    }

    private Mono<Job> notClaimable(String id, UUID jobId, String type) {
        return jobs.find(jobId)
                .flatMap(job -> Mono.error(job.type().equals(type)
                        ? new JobExceptions.Conflict(jobId, job.state(), "take input (it reads its input once)")
                        : new JobExceptions.NotFound(id)));
    }

    /** The request went away mid-run (its run is cancelled with it): the job fails, since its input is gone. */
    private Mono<Void> abandoned(Job job) {
        log.info("Job {}: its request went away before the end; failing it", job.id());
        return jobs.finish(job.id(), owner, JobState.FAILED, null, "the request sending its data ended before the end; "
                        + "nothing was written", 0, null)
                .timeout(ABANDONED_SAVE_TIMEOUT)
                .onErrorResume(error -> {
                    log.warn("Job {} stays RUNNING until its lease lapses: {}", job.id(), error.toString());
                    return Mono.empty();
                })
                .then();
    }
}
