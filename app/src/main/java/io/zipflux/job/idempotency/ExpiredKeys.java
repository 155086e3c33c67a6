package io.zipflux.job.idempotency;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;

import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

import io.zipflux.system.DatabaseMigrations;

/**
 * Deletes idempotency keys past their window, on every instance, every {@code cleanup-interval}: one
 * statement of at most {@code cleanup-batch-size} rows after the other while full batches come back. Rows
 * another instance is deleting are skipped, so instances share the work instead of waiting on each other.
 */
@Component
class ExpiredKeys implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(ExpiredKeys.class);

    private final IdempotencyStore store;

    private final DatabaseMigrations migrations;

    private final IdempotencyProperties properties;

    private Disposable cleaning;

    ExpiredKeys(IdempotencyStore store, DatabaseMigrations migrations, IdempotencyProperties properties) {
        this.store = store;
        this.migrations = migrations;
        this.properties = properties;
    }

    @Override
    public void start() {
        cleaning = migrations.ticksOnceReady(properties.cleanupInterval())
                .concatMap(tick -> deleteExpired(), 1)
                .subscribe();
    }

    /** All keys past their window, batch after batch; a failure waits for the next round. */
    Mono<Void> deleteExpired() {
        int batch = properties.cleanupBatchSize();
        return store.deleteExpired(batch)
                .expand(deleted -> deleted < batch ? Mono.empty() : store.deleteExpired(batch))
                .reduce(0L, Long::sum)
                .doOnNext(deleted -> {
                    if (deleted > 0) {
                        log.debug("Deleted {} idempotency keys past their window", deleted);
                    }
                })
                .onErrorResume(error -> {
                    log.warn("Deleting expired idempotency keys failed: {}", error.toString());
                    return Mono.empty();
                })
                .then();
    }

    @Override
    public void stop() {
        if (cleaning != null) {
            cleaning.dispose();
        }
    }

    @Override
    public boolean isRunning() {
        return cleaning != null && !cleaning.isDisposed();
    }
}
