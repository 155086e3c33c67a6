package io.zipflux.job.idempotency;

import java.time.Duration;
import java.util.Map;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.r2dbc.postgresql.codec.Json;
import io.r2dbc.spi.Readable;
import reactor.core.publisher.Mono;

import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Repository;

import io.zipflux.job.JobsProperties;

/**
 * Idempotency keys in PostgreSQL, shared by all instances. Each step is one statement on the key's row,
 * conditional on the reservation's token, so two requests (on any instances) never both hold a key. Times
 * are the database's, so instances with skewed clocks agree.
 */
@Repository
class IdempotencyStore {

    /** A row that may be taken over: answered and past its window, or reserved by an instance that stopped renewing it. */
    private static final String FREE = "(k.status IS NOT NULL AND k.expires_at <= now()) "
            + "OR (k.status IS NULL AND k.locked_until <= now())";

    private static final TypeReference<Map<String, String>> HEADERS = new TypeReference<>() {
    };

    private final DatabaseClient db;

    private final ObjectMapper json;

    private final Duration lease;

    private final Duration window;

    IdempotencyStore(DatabaseClient db, ObjectMapper json, JobsProperties jobs, IdempotencyProperties properties) {
        this.db = db;
        this.json = json;
        this.lease = jobs.lease();
        this.window = properties.window();
    }

    /** How long a reservation lasts unless renewed. */
    Duration lease() {
        return lease;
    }

    /** Whether the key is now {@code reservation}'s: it was unused, past its window, or its holder was lost. */
    Mono<Boolean> reserve(Reservation reservation, String request) {
        return db.sql("INSERT INTO idempotency_keys AS k (caller, key, request, token, locked_until, expires_at) "
                        + "VALUES (:caller, :key, :request, :token, now() + :lease * interval '1 millisecond', "
                        + "now() + :window * interval '1 millisecond') "
                        + "ON CONFLICT (caller, key) DO UPDATE SET request = excluded.request, token = excluded.token, "
                        + "locked_until = excluded.locked_until, body_sha256 = NULL, status = NULL, headers = NULL, "
                        + "body = NULL, created_at = now(), expires_at = excluded.expires_at WHERE " + FREE)
                .bind("caller", reservation.key().caller())
                .bind("key", reservation.key().value())
                .bind("request", request)
                .bind("token", reservation.token())
                .bind("lease", lease.toMillis())
                .bind("window", window.toMillis())
                .fetch()
                .rowsUpdated()
                .map(rows -> rows > 0);
    }

    /** The request holding the key, or that answered it within its window; empty when there is none. */
    Mono<PriorRequest> find(IdempotencyKey key) {
        return db.sql("SELECT request, body_sha256, status, headers, body FROM idempotency_keys k "
                        + "WHERE caller = :caller AND key = :key AND NOT (" + FREE + ")")
                .bind("caller", key.caller())
                .bind("key", key.value())
                .map(this::toPrior)
                .one();
    }

    /** Keeps the reservation for one more lease; nothing once it is answered or taken over. */
    Mono<Void> renew(Reservation reservation) {
        return db.sql("UPDATE idempotency_keys SET locked_until = now() + :lease * interval '1 millisecond' "
                        + "WHERE caller = :caller AND key = :key AND token = :token AND status IS NULL")
                .bind("lease", lease.toMillis())
                .bind("caller", reservation.key().caller())
                .bind("key", reservation.key().value())
                .bind("token", reservation.token())
                .then();
    }

    /** Stores the first answer and the digest of the request's body; its repeats get this answer from now on. */
    Mono<Void> answer(Reservation reservation, byte[] bodySha256, StoredAnswer answer) {
        return db.sql("UPDATE idempotency_keys SET body_sha256 = :digest, status = :status, headers = :headers, "
                        + "body = :body, locked_until = NULL "
                        + "WHERE caller = :caller AND key = :key AND token = :token AND status IS NULL")
                .bind("digest", bodySha256)
                .bind("status", answer.status())
                .bind("headers", Json.of(write(answer.headers())))
                .bind("body", answer.body())
                .bind("caller", reservation.key().caller())
                .bind("key", reservation.key().value())
                .bind("token", reservation.token())
                .then();
    }

    /** Frees the key of a request that kept no answer, so that the client may send it again. */
    Mono<Void> release(Reservation reservation) {
        return db.sql("DELETE FROM idempotency_keys WHERE caller = :caller AND key = :key AND token = :token "
                        + "AND status IS NULL")
                .bind("caller", reservation.key().caller())
                .bind("key", reservation.key().value())
                .bind("token", reservation.token())
                .then();
    }

    /** Deletes at most {@code limit} keys that are free (see {@link #FREE}); rows another instance is deleting are skipped. */
    Mono<Long> deleteExpired(int limit) {
        return db.sql("DELETE FROM idempotency_keys WHERE (caller, key) IN (SELECT caller, key FROM idempotency_keys k "
                        + "WHERE k.expires_at <= now() AND (" + FREE + ") LIMIT :limit FOR UPDATE SKIP LOCKED)")
                .bind("limit", limit)
                .fetch()
                .rowsUpdated();
    }

    private PriorRequest toPrior(Readable row) {
        Integer status = row.get("status", Integer.class);
        StoredAnswer answer = status == null ? null
                : new StoredAnswer(status, read(row.get("headers", Json.class)), row.get("body", byte[].class));
        return new PriorRequest(row.get("request", String.class), row.get("body_sha256", byte[].class), answer);
    }

    private String write(Map<String, String> headers) {
        try {
            return json.writeValueAsString(headers);
        }
        catch (JsonProcessingException ex) {
            throw new IllegalStateException("A map of strings always serializes", ex);
        }
    }

    private Map<String, String> read(Json headers) {
        try {
            return json.readValue(headers.asString(), HEADERS);
        }
        catch (JsonProcessingException ex) {
            throw new IllegalStateException("Stored headers are JSON written by this class", ex);
        }
    }
}
