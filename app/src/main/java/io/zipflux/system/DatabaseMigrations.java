package io.zipflux.system;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;

import org.flywaydb.core.Flyway;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Schedulers;
import reactor.util.retry.Retry;

import org.springframework.boot.autoconfigure.r2dbc.R2dbcProperties;
import org.springframework.context.SmartLifecycle;
import org.springframework.core.env.Environment;
import org.springframework.stereotype.Component;

/**
 * Runs the Flyway migrations over JDBC, derived from the R2DBC URL unless {@code spring.flyway.url}
 * is set. A database that is down does not stop the service: archives stream meanwhile, migrations
 * are retried in the background, and job endpoints answer 503 until {@link #ready()}.
 */
@Component
public class DatabaseMigrations implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(DatabaseMigrations.class);

    private static final Duration RETRY_EVERY = Duration.ofSeconds(3);

    private final String url;

    private final String user;

    private final String password;

    private final AtomicBoolean ready = new AtomicBoolean();

    private final Sinks.One<Boolean> readySignal = Sinks.one();

    private Disposable retries;

    private volatile boolean running;

    DatabaseMigrations(R2dbcProperties r2dbc, Environment environment) {
        String derived = jdbcUrlOf(r2dbc.getUrl());
        this.url = environment.getProperty("spring.flyway.url", derived + (derived.contains("?") ? "&" : "?") + "connectTimeout=3");
        this.user = environment.getProperty("spring.flyway.user", r2dbc.getUsername());
        this.password = environment.getProperty("spring.flyway.password", r2dbc.getPassword());
    }

    /**
     * {@code r2dbc[s]:[pool:]postgresql://host:port/db?options} → {@code jdbc:postgresql://host:port/db}
     * (with {@code ssl=true} for r2dbcs). R2DBC options are not JDBC options, so they are dropped: set
     * {@code spring.flyway.url} when the migrations need any.
     */
    public static String jdbcUrlOf(String r2dbcUrl) {
        boolean ssl = r2dbcUrl.startsWith("r2dbcs:");
        String url = r2dbcUrl.replaceFirst("^r2dbcs?:(pool:)?", "jdbc:");
        int options = url.indexOf('?');
        return (options < 0 ? url : url.substring(0, options)) + (ssl ? "?ssl=true" : "");
    }

    public boolean ready() {
        return ready.get();
    }

    /** Completes once the schema is in place. */
    public Mono<Boolean> whenReady() {
        return readySignal.asMono();
    }

    /**
     * Ticks every {@code interval} once the schema is in place, for a loop that works on its tables; a tick that
     * comes while the last one's work still runs is dropped, so slow work never piles up.
     */
    public Flux<Long> ticksOnceReady(Duration interval) {
        return whenReady()
                .flatMapMany(ready -> Flux.interval(interval))
                .onBackpressureDrop();
    }

    /** One attempt while the context starts (so a healthy database is ready at once), then in the background. */
    @Override
    public void start() {
        try {
            running = true;
            migrate();
            return;
        }
        catch (RuntimeException ex) {
            log.warn("Database migrations failed ({}); retrying every {}", ex.getMessage(), RETRY_EVERY);
        }
        retries = Mono.fromRunnable(this::migrate)
                .delaySubscription(RETRY_EVERY)
                .subscribeOn(Schedulers.boundedElastic())
                .retryWhen(Retry.fixedDelay(Long.MAX_VALUE, RETRY_EVERY)
                        .doBeforeRetry(signal -> log.warn("Database migrations failed ({}); retrying every {}",
                                signal.failure().getMessage(), RETRY_EVERY)))
                .subscribe();
    }

    private void migrate() {
        Flyway.configure()
                .dataSource(url, user, password)
                .connectRetries(0)
                .load()
                .migrate();
        ready.set(true);
        readySignal.tryEmitValue(true);
        log.info("Database schema is up to date at {}", url);
    }

    @Override
    public void stop() {
        running = false;
        if (retries != null) {
            retries.dispose();
        }
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    @Override
    public int getPhase() {
        return Integer.MIN_VALUE + 100;
    }
}
