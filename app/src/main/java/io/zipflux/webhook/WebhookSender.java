package io.zipflux.webhook;

import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.ByteBufMono;
import reactor.netty.http.client.HttpClient;

import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

import io.zipflux.job.Job;
import io.zipflux.job.JobRepository;
import io.zipflux.job.InstanceId;
import io.zipflux.outbound.OutboundHttp;
import io.zipflux.system.DatabaseMigrations;
import io.zipflux.webhook.WebhookMetrics.Outcome;

/**
 * Delivers due webhooks from this instance: every poll interval it leases as many due deliveries as
 * it has free slots, POSTs each one's job JSON (signed) through the outbound policy with its own
 * timeout, and records the outcome. Runs apart from jobs, so a slow or absent receiver never holds
 * one up. At least once: an attempt whose outcome is lost (an instance killed mid-attempt) is made
 * again after its lease, with the same webhook-id.
 */
@Component
class WebhookSender implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(WebhookSender.class);

    private final WebhookDeliveries deliveries;

    private final JobRepository jobs;

    private final ObjectMapper json;

    private final WebhookSigner signer;

    private final WebhookMetrics metrics;

    private final DatabaseMigrations migrations;

    private final WebhooksProperties properties;

    private final HttpClient http;

    private final String owner;

    private final AtomicInteger inFlight = new AtomicInteger();

    private volatile Disposable sending;

    WebhookSender(WebhookDeliveries deliveries, JobRepository jobs, ObjectMapper json, WebhookSigner signer,
            WebhookMetrics metrics, DatabaseMigrations migrations, WebhooksProperties properties, OutboundHttp outbound,
            InstanceId instanceId) {
        this.deliveries = deliveries;
        this.jobs = jobs;
        this.json = json;
        this.signer = signer;
        this.metrics = metrics;
        this.migrations = migrations;
        this.properties = properties;
        this.http = outbound.client();
        this.owner = instanceId.value();
    }

    /** What one attempt got: an HTTP status and its Retry-After, or no answer at all. */
    private record Answer(Integer status, String retryAfter, String error) {
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
                .flatMap(body -> post(due, body))
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

    private Mono<Answer> post(WebhookDeliveries.Due due, String body) {
        String id = due.id().toString();
        long timestamp = Instant.now().getEpochSecond();
        return http.headers(headers -> headers
                        .set(HttpHeaderNames.CONTENT_TYPE, "application/json")
                        .set("webhook-id", id)
                        .set("webhook-timestamp", timestamp)
                        .set("webhook-signature", signer.signature(id, timestamp, body)))
                .post()
                .uri(due.url())
                .send(ByteBufMono.fromString(Mono.just(body)))
                .response()
                .map(response -> answer(response.status().code(), response.responseHeaders()))
                .timeout(properties.timeout())
                .onErrorResume(error -> Mono.just(new Answer(null, null, error.toString())));
    }

    private static Answer answer(int status, HttpHeaders headers) {
        return new Answer(status, headers.get(HttpHeaderNames.RETRY_AFTER), null);
    }

    private Mono<Void> record(WebhookDeliveries.Due due, Answer answer) {
        Integer status = answer.status();
        if (status != null && status >= 200 && status < 300) {
            return counted(deliveries.delivered(due.id(), status), Outcome.DELIVERED);
        }
        if (status != null && status == 410) {
            return counted(deliveries.gone(due.id(), status), Outcome.GONE);
        }
        String error = answer.error() != null ? answer.error() : "HTTP " + status;
        return deliveries.retryLater(due.id(), owner, status, error, delay(due.attempt(), answer.retryAfter()),
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
    private Duration delay(int attempt, String retryAfter) {
        Duration backoff = properties.initialBackoff().multipliedBy(1L << Math.min(attempt - 1, 30));
        if (backoff.compareTo(properties.maxBackoff()) > 0) {
            backoff = properties.maxBackoff();
        }
        long jitter = ThreadLocalRandom.current().nextLong(backoff.toMillis() / 4 + 1);
        Duration delay = backoff.plusMillis(jitter);
        Duration asked = retryAfter(retryAfter);
        return asked.compareTo(delay) > 0 ? asked : delay;
    }

    /** Retry-After in seconds or as an HTTP date; zero when absent or unreadable. */
    static Duration retryAfter(String value) {
        if (value == null || value.isBlank()) {
            return Duration.ZERO;
        }
        try {
            return Duration.ofSeconds(Math.max(0, Long.parseLong(value.trim())));
        }
        catch (NumberFormatException notSeconds) {
            try {
                Duration until = Duration.between(Instant.now(),
                        ZonedDateTime.parse(value.trim(), DateTimeFormatter.RFC_1123_DATE_TIME).toInstant());
                return until.isNegative() ? Duration.ZERO : until;
            }
            catch (DateTimeParseException notADate) {
                return Duration.ZERO;
            }
        }
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
