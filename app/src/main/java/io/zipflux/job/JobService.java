package io.zipflux.job;

import java.time.Duration;
import java.util.UUID;
import java.util.function.Function;

import com.fasterxml.jackson.databind.JsonNode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.stereotype.Service;
import org.springframework.transaction.reactive.TransactionalOperator;

import io.zipflux.security.AccessProperties;
import io.zipflux.security.Caller;
import io.zipflux.system.DatabaseMigrations;
import io.zipflux.webhook.CallbackUrls;

/**
 * Accepts, finds and steers jobs. A job row is committed before its message is published; if the
 * publish fails the job stays QUEUED and the sweeper publishes it later, so no accepted job is lost.
 */
@Service
public class JobService {

    private static final Logger log = LoggerFactory.getLogger(JobService.class);

    private static final Duration EVENTS_POLL = Duration.ofMillis(250);

    private final JobRepository jobs;

    private final JobBus bus;

    private final TransactionalOperator transaction;

    private final DatabaseMigrations migrations;

    private final JobsProperties properties;

    private final CallbackUrls callbacks;

    private final int maxActiveJobs;

    JobService(JobRepository jobs, JobBus bus, TransactionalOperator transaction, DatabaseMigrations migrations,
            JobsProperties properties, CallbackUrls callbacks, AccessProperties access) {
        this.maxActiveJobs = access.maxActiveJobs();
        this.jobs = jobs;
        this.bus = bus;
        this.transaction = transaction;
        this.migrations = migrations;
        this.properties = properties;
        this.callbacks = callbacks;
    }

    /**
     * Accepts a job of {@code caller}: checks its {@code callbackUrl} (nullable; 400 when refused) and the
     * caller's active jobs (429 at the limit), writes its row (and, in the same transaction, whatever
     * {@code alongside} writes), then publishes it.
     */
    public Mono<Job> submit(Caller caller, String type, JsonNode params, Long total, String unit, String callbackUrl,
            Function<Job, Mono<?>> alongside) {
        Mono<Job> insert = jobs.insert(UUID.randomUUID(), type, caller.name(), params, total, unit, false, callbackUrl)
                .flatMap(job -> alongside.apply(job).thenReturn(job));
        return checkCallback(callbackUrl)
                .then(accept(caller, insert))
                .flatMap(job -> publish(job).thenReturn(job));
    }

    /** {@code insert} in a transaction that first makes sure {@code caller} may have one more active job. */
    Mono<Job> accept(Caller caller, Mono<Job> insert) {
        Mono<Job> limited = caller.limited()
                ? jobs.lockActive(caller.name()).then(roomFor(caller)).then(insert)
                : insert;
        return available(transaction.transactional(limited));
    }

    /**
     * Fails with 429 when {@code caller} has as many active jobs as it may: a request checks this before it
     * reads a large body (the job's insert checks again, under a lock).
     */
    public Mono<Void> requireRoom(Caller caller) {
        return caller.limited() ? available(roomFor(caller)) : Mono.empty();
    }

    private Mono<Void> roomFor(Caller caller) {
        return jobs.countActive(caller.name())
                .filter(active -> active < maxActiveJobs)
                .switchIfEmpty(Mono.error(() -> new JobExceptions.TooManyActive(caller.name(), maxActiveJobs)))
                .then();
    }

    /** Completes when {@code callbackUrl} (nullable) may be called back when a job ends; 400 when refused. */
    public Mono<Void> checkCallback(String callbackUrl) {
        return callbacks.check(callbackUrl);
    }

    /**
     * Publishes a queued job; answers whether the broker took it. A broker that does not answer in
     * time leaves the job queued, for the sweeper to publish later.
     */
    Mono<Boolean> publish(Job job) {
        return bus.publish(job.type(), job.id())
                .timeout(properties.publishTimeout())
                .then(jobs.markPublished(job.id()))
                .thenReturn(true)
                .onErrorResume(error -> {
                    log.warn("Job {} stays queued until the broker takes it: {}", job.id(), error.toString());
                    return Mono.just(false);
                });
    }

    /** Fails with 503 unless the job store is ready; lets a request check before it reads a large body. */
    public Mono<Void> requireAvailable() {
        return available(Mono.<Void>empty());
    }

    /** The job, if {@code caller} may see it; 404 otherwise, as for an unknown id. */
    public Mono<Job> get(String id, Caller caller) {
        return available(parseId(id).flatMap(jobs::find))
                .filter(job -> caller.sees(job.owner()))
                .switchIfEmpty(Mono.error(() -> new JobExceptions.NotFound(id)));
    }

    /** The newest jobs {@code caller} may see, of a type and state (each null for any). */
    public Flux<Job> list(Caller caller, String type, JobState state, int limit) {
        return available(jobs.list(type, state, caller.listedOwner(), limit));
    }

    /** Pauses, resumes or cancels; 404 for a job {@code caller} may not see, 409 when its state does not allow it. */
    public Mono<Job> act(String id, Caller caller, JobAction action) {
        return get(id, caller)
                .flatMap(job -> available(jobs.moveTo(job.id(), action.target(), action.sources()))
                        .switchIfEmpty(Mono.defer(() -> conflict(job.id(), action))));
    }

    private Mono<Job> conflict(UUID id, JobAction action) {
        return jobs.find(id)
                .flatMap(current -> Mono.error(new JobExceptions.Conflict(id, current.state(),
                        action.name().toLowerCase())));
    }

    /** Snapshots of a job whenever it changes, ending after a terminal state. */
    public Flux<Job> events(String id, Caller caller) {
        return get(id, caller)
                .flatMapMany(first -> Flux.interval(Duration.ZERO, EVENTS_POLL)
                        .onBackpressureDrop()
                        .concatMap(tick -> jobs.find(first.id()), 1)
                        .onErrorMap(JobStoreErrors::isUnavailable, JobExceptions.Unavailable::new)
                        .distinctUntilChanged(job -> job.state() + "/" + job.progress() + "/" + job.updatedAt())
                        .takeUntil(job -> job.state().isTerminal()));
    }

    /** The id as a UUID; empty when it is not one (callers answer 404, not 400). */
    public static Mono<UUID> parseId(String id) {
        try {
            return Mono.just(UUID.fromString(id));
        }
        catch (IllegalArgumentException ex) {
            return Mono.empty();
        }
    }

    /** The call, or 503 while the job store is not ready or unreachable. */
    public <T> Mono<T> available(Mono<T> call) {
        return migrations.ready()
                ? call.onErrorMap(JobStoreErrors::isUnavailable, JobExceptions.Unavailable::new)
                : Mono.error(new JobExceptions.Unavailable(null));
    }

    private <T> Flux<T> available(Flux<T> call) {
        return migrations.ready()
                ? call.onErrorMap(JobStoreErrors::isUnavailable, JobExceptions.Unavailable::new)
                : Flux.error(new JobExceptions.Unavailable(null));
    }
}
