package io.zipflux.system;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeoutException;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.ReactiveHealthIndicator;
import org.springframework.boot.actuate.health.Status;
import org.springframework.context.SmartLifecycle;

/**
 * A health indicator that answers at once from the last result of a check run in the background (every
 * {@code zipflux.health.interval}, each bounded by {@code zipflux.health.timeout}), so that a probe never
 * waits for a service that is down. Only a probe that comes before the first check has ended (the first
 * moments after start) waits for it, at most the timeout. A change of state is logged once, as one line.
 */
public abstract class BackgroundHealth implements ReactiveHealthIndicator, SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(BackgroundHealth.class);

    /** Started before the web server, so that the first result is usually there when probes come; stopped after it. */
    private static final int PHASE = SmartLifecycle.DEFAULT_PHASE - 4096;

    private final String service;

    private final Duration interval;

    private final Duration timeout;

    /** The last result; null until the first check has ended. */
    private volatile Health last;

    private final Sinks.One<Health> first = Sinks.one();

    private volatile Disposable checks;

    protected BackgroundHealth(String service, HealthProperties properties) {
        this.service = service;
        this.interval = properties.interval();
        this.timeout = properties.timeout();
    }

    /** One check of the service: UP with details, or DOWN (an error also counts as DOWN). */
    protected abstract Mono<Health> check();

    @Override
    public Mono<Health> health() {
        Health current = last;
        return current != null ? Mono.just(current) : firstResult();
    }

    private Mono<Health> firstResult() {
        return first.asMono()
                .timeout(timeout, Mono.fromSupplier(() -> Health.down().withDetail("error", "not checked yet").build()));
    }

    @Override
    public void start() {
        checks = Mono.defer(this::checkOnce)
                .then(Mono.delay(interval))
                .repeat()
                .subscribe();
    }

    private Mono<Health> checkOnce() {
        Instant started = Instant.now();
        return Mono.defer(this::check)
                .timeout(timeout)
                .onErrorResume(error -> Mono.just(down(error)))
                .map(health -> stamped(health, started))
                .doOnNext(this::record);
    }

    private Health down(Throwable error) {
        String reason = error instanceof TimeoutException ? "no answer within " + timeout : error.toString();
        return Health.down()
                .withDetail("error", reason)
                .build();
    }

    private static Health stamped(Health health, Instant started) {
        return Health.status(health.getStatus())
                .withDetails(health.getDetails())
                .withDetail("checkedAt", started.toString())
                .build();
    }

    private void record(Health health) {
        Health before = last;
        last = health;
        if (before == null) {
            first.tryEmitValue(health);
        }
        else if (health.getStatus().equals(before.getStatus())) {
            return;
        }
        if (Status.UP.equals(health.getStatus())) {
            log.info("{} is UP", service);
        }
        else {
            // One line per outage: the clients' own reconnect warnings are turned down (see application.yml).
            log.warn("{} is {}: {}; checked again every {}", service, health.getStatus(), health.getDetails().get("error"), interval);
        }
    }

    @Override
    public void stop() {
        Disposable running = checks;
        if (running != null) {
            running.dispose();
        }
    }

    @Override
    public boolean isRunning() {
        Disposable running = checks;
        return running != null && !running.isDisposed();
    }

    @Override
    public int getPhase() {
        return PHASE;
    }
}
