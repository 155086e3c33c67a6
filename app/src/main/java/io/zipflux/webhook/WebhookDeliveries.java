package io.zipflux.webhook;

import java.time.Duration;
import java.time.Instant;
import java.util.UUID;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.r2dbc.core.Parameter;
import org.springframework.stereotype.Repository;

/**
 * Webhook delivery rows (written by a trigger on {@code jobs} when a job with a callback URL ends).
 * An instance leases the due rows it attempts; each outcome is one conditional UPDATE, so a delivery
 * is recorded as done once.
 */
@Repository
class WebhookDeliveries {

    /** A delivery leased for one attempt; {@code attempt} counts this one. */
    record Due(UUID id, UUID jobId, String url, int attempt, String payload, Instant createdAt) {
    }

    private final DatabaseClient db;

    WebhookDeliveries(DatabaseClient db) {
        this.db = db;
    }

    /** Leases up to {@code limit} due deliveries (skipping those another instance is leasing) for {@code owner}. */
    Flux<Due> claim(String owner, Duration lease, int limit) {
        return db.sql("UPDATE webhook_deliveries d SET lease_owner = :owner, lease_until = now() + :lease * interval '1 ms', "
                        + "attempts = d.attempts + 1 FROM (SELECT id FROM webhook_deliveries WHERE state = 'PENDING' "
                        + "AND next_attempt_at <= now() AND (lease_until IS NULL OR lease_until < now()) "
                        + "ORDER BY next_attempt_at LIMIT :limit FOR UPDATE SKIP LOCKED) due WHERE d.id = due.id "
                        + "RETURNING d.id, d.job_id, d.url, d.attempts, d.payload, d.created_at")
                .bind("owner", owner)
                .bind("lease", lease.toMillis())
                .bind("limit", limit)
                .map(row -> new Due(row.get("id", UUID.class), row.get("job_id", UUID.class), row.get("url", String.class),
                        row.get("attempts", Integer.class), row.get("payload", String.class),
                        row.get("created_at", Instant.class)))
                .all();
    }

    /** The body of every attempt: {@code payload} unless an earlier attempt stored one first. */
    Mono<String> keepPayload(UUID id, String payload) {
        return db.sql("UPDATE webhook_deliveries SET payload = COALESCE(payload, :payload) WHERE id = :id RETURNING payload")
                .bind("id", id)
                .bind("payload", payload)
                .map(row -> row.get("payload", String.class))
                .one();
    }

    /** A 2xx: done, whoever holds the lease now; false when it was recorded already. */
    Mono<Boolean> delivered(UUID id, int status) {
        return end(id, "DELIVERED", status);
    }

    /** A 410: the receiver wants no more. */
    Mono<Boolean> gone(UUID id, int status) {
        return end(id, "GONE", status);
    }

    private Mono<Boolean> end(UUID id, String state, int status) {
        return db.sql("UPDATE webhook_deliveries SET state = :state, last_status = :status, last_error = NULL, "
                        + "finished_at = now(), lease_owner = NULL, lease_until = NULL WHERE id = :id AND state = 'PENDING'")
                .bind("id", id)
                .bind("state", state)
                .bind("status", status)
                .fetch()
                .rowsUpdated()
                .map(rows -> rows > 0);
    }

    /**
     * Schedules the next attempt after {@code delay}, or gives up (FAILED) when that would be past
     * {@code retryFor} since the job ended; answers the state written, empty if the lease was lost.
     */
    Mono<String> retryLater(UUID id, String owner, Integer status, String error, Duration delay, Duration retryFor) {
        return db.sql("UPDATE webhook_deliveries SET last_status = :status, last_error = :error, lease_owner = NULL, "
                        + "lease_until = NULL, next_attempt_at = now() + :delay * interval '1 ms', "
                        + "state = CASE WHEN now() + :delay * interval '1 ms' > created_at + :retryFor * interval '1 ms' "
                        + "THEN 'FAILED' ELSE 'PENDING' END, "
                        + "finished_at = CASE WHEN now() + :delay * interval '1 ms' > created_at + :retryFor * interval '1 ms' "
                        + "THEN now() END "
                        + "WHERE id = :id AND lease_owner = :owner AND state = 'PENDING' RETURNING state")
                .bind("id", id)
                .bind("owner", owner)
                .bind("status", Parameter.fromOrEmpty(status, Integer.class))
                .bind("error", Parameter.fromOrEmpty(error, String.class))
                .bind("delay", delay.toMillis())
                .bind("retryFor", retryFor.toMillis())
                .map(row -> row.get("state", String.class))
                .one();
    }

    /** Lets go of the attempts this owner holds (graceful stop), for another instance to make at once. */
    Mono<Long> release(String owner) {
        return db.sql("UPDATE webhook_deliveries SET lease_owner = NULL, lease_until = NULL "
                        + "WHERE lease_owner = :owner AND state = 'PENDING'")
                .bind("owner", owner)
                .fetch()
                .rowsUpdated();
    }
}
