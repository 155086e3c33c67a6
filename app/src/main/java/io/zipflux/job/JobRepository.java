package io.zipflux.job;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.r2dbc.postgresql.codec.Json;
import io.r2dbc.spi.Readable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.r2dbc.core.Parameter;
import org.springframework.stereotype.Repository;

/**
 * Job rows in PostgreSQL. Every state change is one conditional UPDATE whose allowed source states
 * come from {@link JobState}, so two instances racing on a job cannot both win.
 */
@Repository
public class JobRepository {

    private static final String COLUMNS = "id, type, created_by, state, params, progress_done, progress_total, progress_unit, "
            + "result, error, created_at, updated_at, callback_url, (SELECT json_build_object('state', d.state, "
            + "'attempts', d.attempts, 'lastStatus', d.last_status) FROM webhook_deliveries d WHERE d.job_id = jobs.id) AS callback";

    /** The error of an attached job whose instance was lost (a SET clause, evaluated before the state changes). */
    private static final String LOST_ATTACHED_FAILS = "finished_at = CASE WHEN attached AND state IN ('RUNNING', 'PAUSED') "
            + "THEN now() ELSE finished_at END, error = CASE WHEN attached AND state IN ('RUNNING', 'PAUSED') "
            + "THEN 'the instance receiving its data stopped, or lost its database connection, before the end; "
            + "nothing was written' ELSE error END";

    private final DatabaseClient db;

    private final ObjectMapper json;

    JobRepository(DatabaseClient db, ObjectMapper json) {
        this.db = db;
        this.json = json;
    }

    /**
     * Writes a QUEUED job; an {@code attached} one is run by the request that brings its input, never
     * published. A {@code callbackUrl} (nullable) is told when the job ends.
     */
    Mono<Job> insert(UUID id, String type, String owner, JsonNode params, Long total, String unit, boolean attached,
            String callbackUrl) {
        return db.sql("INSERT INTO jobs (id, type, created_by, state, params, progress_total, progress_unit, attached, "
                        + "callback_url) VALUES (:id, :type, :owner, 'QUEUED', :params, :total, :unit, :attached, :callback) "
                        + "RETURNING " + COLUMNS)
                .bind("id", id)
                .bind("owner", owner)
                .bind("attached", attached)
                .bind("type", type)
                .bind("params", Json.of(write(params)))
                .bind("total", Parameter.fromOrEmpty(total, Long.class))
                .bind("unit", unit)
                .bind("callback", Parameter.fromOrEmpty(callbackUrl, String.class))
                .map(this::toJob)
                .one();
    }

    /**
     * Takes a lock on {@code owner}'s active jobs, held until the transaction ends, so that two instances
     * accepting jobs of one owner at once cannot both pass a limit.
     */
    Mono<Void> lockActive(String owner) {
        return db.sql("SELECT pg_advisory_xact_lock(hashtext('zipflux.active-jobs'), hashtext(:owner))")
                .bind("owner", owner)
                .then();
    }

    /** The QUEUED, RUNNING and PAUSED jobs of {@code owner}. */
    Mono<Long> countActive(String owner) {
        return db.sql("SELECT count(*) AS n FROM jobs WHERE created_by = :owner AND state IN ('QUEUED', 'RUNNING', 'PAUSED')")
                .bind("owner", owner)
                .map(row -> row.get("n", Long.class))
                .one();
    }

    public Mono<Job> find(UUID id) {
        return db.sql("SELECT " + COLUMNS + " FROM jobs WHERE id = :id")
                .bind("id", id)
                .map(this::toJob)
                .one();
    }

    /** The newest jobs of a type, state and owner (each null for any). */
    Flux<Job> list(String type, JobState state, String owner, int limit) {
        return db.sql("SELECT " + COLUMNS + " FROM jobs WHERE (:type = '' OR type = :type) "
                        + "AND (:state = '' OR state = :state) AND (:owner = '' OR created_by = :owner) "
                        + "ORDER BY created_at DESC, id LIMIT :limit")
                .bind("type", type == null ? "" : type)
                .bind("owner", owner == null ? "" : owner)
                .bind("state", state == null ? "" : state.name())
                .bind("limit", limit)
                .map(this::toJob)
                .all();
    }

    /** Moves a job to {@code target} if it is in one of {@code sources}; empty when it is not. */
    Mono<Job> moveTo(UUID id, JobState target, List<String> sources) {
        return db.sql("UPDATE jobs SET state = :target, updated_at = now(), "
                        + "paused_at = CASE WHEN :target = 'PAUSED' THEN now() ELSE NULL END, "
                        + "finished_at = CASE WHEN :target IN ('SUCCEEDED', 'FAILED', 'CANCELLED') THEN now() END "
                        + "WHERE id = :id AND state IN (:sources) RETURNING " + COLUMNS)
                .bind("id", id)
                .bind("target", target.name())
                .bind("sources", sources)
                .map(this::toJob)
                .one();
    }

    /**
     * Takes a queued job (or one whose owner stopped renewing its lease) for {@code owner}. Taking over
     * a lapsed lease counts the run it ends as abandoned; a job whose {@code maxAttempts}-th run that
     * would be is not taken (the sweeper fails it, see {@link #failPoisoned}).
     */
    Mono<Job> claim(UUID id, String owner, Duration lease, int maxAttempts) {
        return db.sql("UPDATE jobs SET state = 'RUNNING', owner = :owner, lease_until = now() + :lease * interval '1 ms', "
                        + "attempts = attempts + 1, abandoned = abandoned + CASE WHEN state = 'RUNNING' THEN 1 ELSE 0 END, "
                        + "progress_done = 0, result = NULL, started_at = COALESCE(started_at, now()), "
                        + "updated_at = now() WHERE id = :id AND (state = 'QUEUED' OR (state = 'RUNNING' "
                        + "AND (lease_until IS NULL OR lease_until < now()) AND abandoned + 1 < :maxAttempts)) "
                        + "RETURNING " + COLUMNS)
                .bind("id", id)
                .bind("owner", owner)
                .bind("lease", lease.toMillis())
                .bind("maxAttempts", maxAttempts)
                .map(this::toJob)
                .one();
    }

    /** Takes a queued attached job of {@code type} for {@code owner}: its input has arrived here. */
    Mono<Job> claimAttached(UUID id, String type, String owner, Duration lease) {
        return db.sql("UPDATE jobs SET state = 'RUNNING', owner = :owner, lease_until = now() + :lease * interval '1 ms', "
                        + "attempts = attempts + 1, started_at = now(), updated_at = now() "
                        + "WHERE id = :id AND type = :type AND attached AND state = 'QUEUED' RETURNING " + COLUMNS)
                .bind("id", id)
                .bind("type", type)
                .bind("owner", owner)
                .bind("lease", lease.toMillis())
                .map(this::toJob)
                .one();
    }

    /**
     * Renews the lease and records progress while the job runs or is paused; answers the job's state
     * whatever it is (a cancelled job keeps its owner, so its worker learns it), empty if the job is
     * no longer ours.
     */
    Mono<JobState> renew(UUID id, String owner, Duration lease, long done, Long total, JsonNode interimResult) {
        return db.sql("UPDATE jobs SET lease_until = now() + :lease * interval '1 ms', "
                        + "progress_total = COALESCE(:total, progress_total), "
                        + "updated_at = CASE WHEN progress_done <> :done AND state IN ('RUNNING', 'PAUSED') "
                        + "THEN now() ELSE updated_at END, "
                        + "progress_done = CASE WHEN state IN ('RUNNING', 'PAUSED') THEN :done ELSE progress_done END, "
                        + "result = CASE WHEN state IN ('RUNNING', 'PAUSED') THEN COALESCE(:result, result) ELSE result END "
                        + "WHERE id = :id AND owner = :owner RETURNING state")
                .bind("id", id)
                .bind("owner", owner)
                .bind("lease", lease.toMillis())
                .bind("done", done)
                .bind("total", Parameter.fromOrEmpty(total, Long.class))
                .bind("result", json(interimResult))
                .map(row -> JobState.valueOf(row.get("state", String.class)))
                .one();
    }

    /** Ends a job this owner runs (a pause that came after its last step does not stop it ending). */
    Mono<Job> finish(UUID id, String owner, JobState outcome, JsonNode result, String error, long done, Long total) {
        // clock_timestamp(), not now(): an atomic worker's success is saved in a transaction that began with its run.
        return db.sql("UPDATE jobs SET state = :outcome, result = :result, error = :error, progress_done = :done, "
                        + "progress_total = COALESCE(:total, progress_total), "
                        + "finished_at = clock_timestamp(), updated_at = clock_timestamp(), owner = NULL, lease_until = NULL "
                        + "WHERE id = :id AND owner = :owner AND state IN ('RUNNING', 'PAUSED') RETURNING " + COLUMNS)
                .bind("id", id)
                .bind("owner", owner)
                .bind("outcome", outcome.name())
                .bind("result", json(result))
                .bind("error", Parameter.fromOrEmpty(error, String.class))
                .bind("done", done)
                .bind("total", Parameter.fromOrEmpty(total, Long.class))
                .map(this::toJob)
                .one();
    }

    /**
     * Lets go of every job this owner holds (graceful stop): running ones are queued again, attached
     * ones fail (their input was this instance's request).
     */
    Mono<Long> release(String owner) {
        return db.sql("UPDATE jobs SET owner = NULL, lease_until = NULL, updated_at = now(), "
                        + LOST_ATTACHED_FAILS + ", "
                        + "state = CASE WHEN attached AND state IN ('RUNNING', 'PAUSED') THEN 'FAILED' "
                        + "WHEN state = 'RUNNING' THEN 'QUEUED' ELSE state END, "
                        + "published_at = CASE WHEN state = 'RUNNING' THEN NULL ELSE published_at END "
                        + "WHERE owner = :owner")
                .bind("owner", owner)
                .fetch()
                .rowsUpdated();
    }

    Mono<Void> markPublished(UUID id) {
        return db.sql("UPDATE jobs SET published_at = now() WHERE id = :id")
                .bind("id", id)
                .then();
    }

    /**
     * Running jobs whose owner stopped renewing the lease go back to the queue, the run counted as
     * abandoned; attached ones (running or paused) fail, since their input went with their instance.
     * A job whose abandoned runs would reach {@code maxAttempts} is left to {@link #failPoisoned}.
     */
    Flux<Job> requeueAbandoned(int maxAttempts) {
        return db.sql("UPDATE jobs SET owner = NULL, lease_until = NULL, published_at = NULL, updated_at = now(), "
                        + LOST_ATTACHED_FAILS + ", "
                        + "abandoned = abandoned + CASE WHEN state = 'RUNNING' AND NOT attached THEN 1 ELSE 0 END, "
                        + "state = CASE WHEN attached THEN 'FAILED' ELSE 'QUEUED' END "
                        + "WHERE (state = 'RUNNING' OR attached AND state = 'PAUSED') "
                        + "AND (lease_until IS NULL OR lease_until < now()) "
                        + "AND (attached OR abandoned + 1 < :maxAttempts) RETURNING " + COLUMNS)
                .bind("maxAttempts", maxAttempts)
                .map(this::toJob)
                .all();
    }

    /**
     * Fails the running jobs whose owner stopped renewing the lease for the {@code maxAttempts}-th
     * time (each of their runs ended with its worker dying): poison, not run again. A graceful stop
     * hands a job back ({@link #release}) without counting.
     */
    Flux<Job> failPoisoned(int maxAttempts) {
        return db.sql("UPDATE jobs SET state = 'FAILED', owner = NULL, lease_until = NULL, abandoned = abandoned + 1, "
                        + "finished_at = now(), updated_at = now(), error = 'abandoned ' || (abandoned + 1) "
                        + "|| ' times by workers that stopped mid-run; not retried again' "
                        + "WHERE state = 'RUNNING' AND NOT attached AND (lease_until IS NULL OR lease_until < now()) "
                        + "AND abandoned + 1 >= :maxAttempts RETURNING " + COLUMNS)
                .bind("maxAttempts", maxAttempts)
                .map(this::toJob)
                .all();
    }

    /**
     * Queued jobs whose publish was lost (unpublished for {@code grace} since they were created, or
     * since they were queued again), or that no worker took for {@code republishAfter}.
     */
    Flux<Job> awaitingPublish(Duration requeuedGrace, Duration grace, Duration republishAfter) {
        return db.sql("SELECT " + COLUMNS + " FROM jobs WHERE state = 'QUEUED' AND NOT attached AND ("
                        + "(published_at IS NULL AND (attempts > 0 AND updated_at < now() - :requeued * interval '1 ms' "
                        + "OR created_at < now() - :grace * interval '1 ms')) "
                        + "OR published_at < now() - :republish * interval '1 ms') ORDER BY created_at LIMIT 500")
                .bind("requeued", requeuedGrace.toMillis())
                .bind("grace", grace.toMillis())
                .bind("republish", republishAfter.toMillis())
                .map(this::toJob)
                .all();
    }

    /** Cancels jobs paused for longer than {@code timeout}, and attached jobs whose input has not come in that time. */
    Flux<Job> cancelPausedLongerThan(Duration timeout) {
        return db.sql("UPDATE jobs SET state = 'CANCELLED', finished_at = now(), updated_at = now(), "
                        + "error = CASE WHEN state = 'PAUSED' THEN 'paused for longer than ' || :limit "
                        + "ELSE 'no data arrived within ' || :limit END "
                        + "WHERE state = 'PAUSED' AND paused_at < now() - :timeout * interval '1 ms' "
                        + "OR attached AND state = 'QUEUED' AND created_at < now() - :timeout * interval '1 ms' "
                        + "RETURNING " + COLUMNS)
                .bind("timeout", timeout.toMillis())
                .bind("limit", timeout.toString().substring(2).toLowerCase())
                .map(this::toJob)
                .all();
    }

    /**
     * Ended jobs that still name an instance whose lease has lapsed (cancelled while their instance was
     * lost, or after their run stopped without saving): released, so that their clean-up runs once.
     */
    Flux<Job> releaseEndedWithoutTheirRun() {
        return db.sql("UPDATE jobs SET owner = NULL, lease_until = NULL "
                        + "WHERE state IN ('SUCCEEDED', 'FAILED', 'CANCELLED') AND owner IS NOT NULL "
                        + "AND (lease_until IS NULL OR lease_until < now()) RETURNING " + COLUMNS)
                .map(this::toJob)
                .all();
    }

    /**
     * Takes the retention lock until the transaction ends (false when another instance holds it): a
     * transaction lock, not a session one, because a pooled connection is not ours after the
     * transaction, and it goes with the connection if this instance dies mid-sweep.
     */
    Mono<Boolean> tryRetentionLock() {
        return db.sql("SELECT pg_try_advisory_xact_lock(hashtext('zipflux.retention'), 0) AS locked")
                .map(row -> row.get("locked", Boolean.class))
                .one();
    }

    /**
     * Up to {@code limit} jobs that ended more than {@code age} ago and that nothing still uses (no run
     * finishing its clean-up, no webhook being delivered); jobs whose files could not be removed
     * before come last, so that they never hold up the others.
     */
    Flux<Job> endedBefore(Duration age, int limit) {
        return db.sql("SELECT " + COLUMNS + " FROM jobs WHERE state IN ('SUCCEEDED', 'FAILED', 'CANCELLED') "
                        + "AND finished_at < now() - :age * interval '1 ms' AND owner IS NULL "
                        + "AND NOT EXISTS (SELECT 1 FROM webhook_deliveries d WHERE d.job_id = jobs.id AND d.state = 'PENDING') "
                        + "ORDER BY delete_failed_at NULLS FIRST, finished_at LIMIT :limit")
                .bind("age", age.toMillis())
                .bind("limit", limit)
                .map(this::toJob)
                .all();
    }

    /** Notes that a job's files could not be removed; answers whether this is the first time. */
    Mono<Boolean> markDeleteFailed(UUID id) {
        return db.sql("UPDATE jobs j SET delete_failed_at = now() FROM (SELECT delete_failed_at FROM jobs WHERE id = :id) "
                        + "was WHERE j.id = :id RETURNING was.delete_failed_at IS NULL AS first")
                .bind("id", id)
                .map(row -> row.get("first", Boolean.class))
                .one();
    }

    /** Deletes ended jobs (their files rows and webhook delivery go with them: ON DELETE CASCADE); answers each one's type. */
    Flux<String> delete(List<UUID> ids) {
        return db.sql("DELETE FROM jobs WHERE id IN (:ids) AND state IN ('SUCCEEDED', 'FAILED', 'CANCELLED') RETURNING type")
                .bind("ids", ids)
                .map(row -> row.get("type", String.class))
                .all();
    }

    /** Attached jobs wait for their client, not for a worker, so they are left out of the oldest's age. */
    Flux<JobCount> countsByTypeAndState() {
        return db.sql("SELECT type, state, count(*) AS n, COALESCE(EXTRACT(EPOCH FROM now() - min(updated_at) "
                        + "FILTER (WHERE NOT attached)), 0)::float8 AS oldest FROM jobs GROUP BY type, state")
                .map(row -> new JobCount(row.get("type", String.class), JobState.valueOf(row.get("state", String.class)),
                        row.get("n", Long.class), row.get("oldest", Double.class)))
                .all();
    }

    private Job toJob(Readable row) {
        JobState state = JobState.valueOf(row.get("state", String.class));
        return new Job(
                row.get("id", UUID.class),
                row.get("type", String.class),
                row.get("created_by", String.class),
                state,
                new JobProgress(row.get("progress_done", Long.class), row.get("progress_total", Long.class),
                        row.get("progress_unit", String.class)),
                row.get("created_at", Instant.class),
                row.get("updated_at", Instant.class),
                row.get("error", String.class),
                read(row.get("result", Json.class)),
                callback(row, state),
                read(row.get("params", Json.class)));
    }

    /** None without a callback URL; WAITING until the job ends and its delivery row exists. */
    private JobCallback callback(Readable row, JobState state) {
        if (row.get("callback_url", String.class) == null) {
            return null;
        }
        JsonNode delivery = read(row.get("callback", Json.class));
        if (delivery == null) {
            return new JobCallback(state.isTerminal() ? "PENDING" : "WAITING", 0, null);
        }
        JsonNode status = delivery.get("lastStatus");
        return new JobCallback(delivery.get("state").asText(), delivery.get("attempts").asInt(),
                status.isNull() ? null : status.asInt());
    }

    private JsonNode read(Json value) {
        try {
            return value == null ? null : json.readTree(value.asString());
        }
        catch (JsonProcessingException ex) {
            throw new IllegalStateException("Stored JSON is not readable", ex);
        }
    }

    private Parameter json(JsonNode value) {
        return Parameter.fromOrEmpty(value == null ? null : Json.of(write(value)), Json.class);
    }

    private String write(JsonNode value) {
        try {
            return json.writeValueAsString(value);
        }
        catch (JsonProcessingException ex) {
            throw new IllegalStateException("JSON always serializes", ex);
        }
    }
}
