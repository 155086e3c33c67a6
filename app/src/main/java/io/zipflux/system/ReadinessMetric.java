package io.zipflux.system;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.actuate.endpoint.ApiVersion;
import org.springframework.boot.actuate.endpoint.SecurityContext;
import org.springframework.boot.actuate.endpoint.web.WebEndpointResponse;
import org.springframework.boot.actuate.endpoint.web.WebServerNamespace;
import org.springframework.boot.actuate.health.ReactiveHealthEndpointWebExtension;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/**
 * {@code zipflux_readiness}: 1 while {@code /actuator/health/readiness} answers 200 (UP), else 0. Asked
 * in the background, as a probe would, so that a scrape never waits on a health check; an answer
 * slower than a probe's patience counts as not ready.
 */
@Component
class ReadinessMetric implements SmartLifecycle {

    private static final Duration INTERVAL = Duration.ofSeconds(5);

    private static final Duration PATIENCE = Duration.ofSeconds(10);

    private final ObjectProvider<ReactiveHealthEndpointWebExtension> health;

    private final AtomicInteger ready = new AtomicInteger();

    private Disposable checking;

    ReadinessMetric(ObjectProvider<ReactiveHealthEndpointWebExtension> health, MeterRegistry registry) {
        this.health = health;
        Gauge.builder("zipflux.readiness", ready, AtomicInteger::get)
                .description("1 while the readiness probe (/actuator/health/readiness) answers UP, else 0")
                .register(registry);
    }

    @Override
    public void start() {
        checking = Flux.interval(Duration.ZERO, INTERVAL)
                .onBackpressureDrop()
                .concatMap(tick -> readiness(), 1)
                .subscribe(ready::set);
    }

    private Mono<Integer> readiness() {
        ReactiveHealthEndpointWebExtension endpoint = health.getIfAvailable();
        if (endpoint == null) {
            return Mono.just(0);
        }
        return endpoint.health(ApiVersion.LATEST, WebServerNamespace.SERVER, SecurityContext.NONE, "readiness")
                .map(answer -> answer.getStatus() == WebEndpointResponse.STATUS_OK ? 1 : 0)
                .timeout(PATIENCE)
                .onErrorReturn(0);
    }

    @Override
    public void stop() {
        if (checking != null) {
            checking.dispose();
        }
    }

    @Override
    public boolean isRunning() {
        return checking != null && !checking.isDisposed();
    }
}
