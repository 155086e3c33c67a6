package io.zipflux.webhook;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

import io.zipflux.job.Job;
import io.zipflux.job.JobRepository;
import io.zipflux.job.InstanceId;
import io.zipflux.system.DatabaseMigrations;
import io.zipflux.webhook.WebhookCall.Answer;
import io.zipflux.webhook.WebhookMetrics.Outcome;

/**
 * Delivers due webhooks from this instance: every poll interval it leases as many due deliveries as
 * it has free slots, makes an attempt ({@link WebhookCall}) with each one's job JSON, and records the
 * outcome. Runs apart from jobs, so a slow or absent receiver never holds one up. At least once: an
 * attempt whose outcome is lost (an instance killed mid-attempt) is made again after its lease, with
 * the same webhook-id.
 */
@Component
class WebhookSender implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(WebhookSender.class);

    private final WebhookDeliveries deliveries;

    private final JobRepository jobs;

    private final ObjectMapper json;

    private final WebhookCall call;

    private final WebhookMetrics metrics;

    private final DatabaseMigrations migrations;

    private final WebhooksProperties properties;

    private final String owner;

    private final AtomicInteger inFlight = new AtomicInteger();

    private volatile Disposable sending;

    WebhookSender(WebhookDeliveries deliveries, JobRepository jobs, ObjectMapper json, WebhookCall call,
            WebhookMetrics metrics, DatabaseMigrations migrations, WebhooksProperties properties, InstanceId instanceId) {
        this.deliveries = deliveries;
        this.jobs = jobs;
        this.json = json;
        this.call = call;
        this.metrics = metrics;
        this.migrations = migrations;
        this.properties = properties;
        this.owner = instanceId.value();
    }

    @Override
    public void start() {
        if (!properties.deliveryEnabled()) {
            return;
        }
        sending = migrations.whenReady()
                .doOnNext(ready -> log.info("Instance {} delivers webhooks", owner))
                .flatMapMany(ready -> Flux.interval(properties.pollInterval()))
                .onBackpressureDrop()
                .concatMap(tick -> claimDue(), 1)
                .flatMap(this::attempt, properties.concurrency())
                .subscribe();
    }

    /** Claims no more than the free slots, so a claimed delivery never waits for one. */
    private Flux<WebhookDeliveries.Due> claimDue() {
        int free = properties.concurrency() - inFlight.get();
        if (free <= 0) {
            return Flux.empty();
        }
        return deliveries.claim(owner, properties.lease(), free)
                .doOnNext(due -> inFlight.incrementAndGet())
                .onErrorResume(error -> {
                    log.warn("Could not look for due webhooks: {}", error.toString());
                    return Flux.empty();
                });
    }

    private Mono<Void> attempt(WebhookDeliveries.Due due) {
        return payload(due)
                .flatMap(body -> call.post(due.url(), due.id().toString(), body))
                .flatMap(answer -> record(due, answer))
                .onErrorResume(error -> {
                    log.warn("Webhook {} of job {}: attempt not recorded, made again after its lease: {}", due.id(),
                            due.jobId(), error.toString());
                    return Mono.empty();
                })
                .doFinally(signal -> inFlight.decrementAndGet());
    }

    /** The job JSON as the first attempt rendered it: every retry sends the same bytes. */
    private Mono<String> payload(WebhookDeliveries.Due due) {
        if (due.payload() != null) {
            return Mono.just(due.payload());
        }
        return jobs.find(due.jobId())
                .map(this::render)
                .flatMap(body -> deliveries.keepPayload(due.id(), body));
    }

    private Mono<Void> record(WebhookDeliveries.Due due, Answer answer) {
        if (answer.delivered()) {
            return counted(deliveries.delivered(due.id(), answer.status()), Outcome.DELIVERED);
        }
        if (answer.gone()) {
            return counted(deliveries.gone(due.id(), answer.status()), Outcome.GONE);
        }
        String error = answer.describe();
        return deliveries.retryLater(due.id(), owner, answer.status(), error, delay(due.attempt(), answer.retryAfter()),
                        properties.retryFor())
                .doOnNext(state -> metrics.count("FAILED".equals(state) ? Outcome.FAILED : Outcome.RETRIED))
                .doOnNext(state -> log.info("Webhook {} of job {}: attempt {} got {}; {}", due.id(), due.jobId(),
                        due.attempt(), error, "FAILED".equals(state) ? "given up" : "will retry"))
                .then();
    }

    private Mono<Void> counted(Mono<Boolean> recorded, Outcome outcome) {
        return recorded
                .filter(first -> first)
                .doOnNext(first -> metrics.count(outcome))
                .then();
    }

    /** Exponential backoff with up to a quarter more of jitter, never before what Retry-After asks. */
    private Duration delay(int attempt, Duration asked) {
        Duration backoff = properties.initialBackoff().multipliedBy(1L << Math.min(attempt - 1, 30));
        if (backoff.compareTo(properties.maxBackoff()) > 0) {
            backoff = properties.maxBackoff();
        }
        long jitter = ThreadLocalRandom.current().nextLong(backoff.toMillis() / 4 + 1);
        Duration delay = backoff.plusMillis(jitter);
        return asked.compareTo(delay) > 0 ? asked : delay;
    }

    private String render(Job job) {
        try {
            return json.writeValueAsString(job);
        }
        catch (JsonProcessingException ex) {
            throw new IllegalStateException("A job always serializes", ex);
        }
    }

    /** Cancels the attempts in flight and releases their leases, so another instance makes them without waiting. */
    @Override
    public void stop(Runnable stopped) {
        if (sending == null || sending.isDisposed()) {
            stopped.run();
            return;
        }
        sending.dispose();
        Mono.defer(() -> migrations.ready() ? deliveries.release(owner) : Mono.<Long>empty())
                .timeout(Duration.ofSeconds(5))
                .onErrorResume(error -> {
                    log.warn("Webhook leases of {} not released; they lapse: {}", owner, error.toString());
                    return Mono.empty();
                })
                .doFinally(signal -> stopped.run())
                .subscribe();
    }

    @Override
    public void stop() {
        stop(() -> { });
    }

    @Override
    public boolean isRunning() {
        return sending != null && !sending.isDisposed();
    }
}
