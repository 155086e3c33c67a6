package io.zipflux.job;

import java.sql.Array;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import io.zipflux.system.DatabaseMigrations;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The {@code jobs} table of the instance under test, read (and for set-up written) over JDBC: what the
 * API does not show (which instance runs a job, how many of its runs were abandoned), and jobs that
 * ended long ago, which a test cannot wait for.
 */
public final class JobRows implements AutoCloseable {

    /** What a job's row says of its runs. */
    public record Runs(String state, String owner, int attempts, int abandoned) {
    }

    private final Connection connection;

    public JobRows(String r2dbcUrl) throws SQLException {
        this.connection = DriverManager.getConnection(DatabaseMigrations.jdbcUrlOf(r2dbcUrl), "postgres", "postgres");
    }

    /** Ids for {@link #insertEndedLongAgo}, known before the rows exist (to write their files first). */
    public static List<UUID> newIds(int count) {
        List<UUID> ids = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            ids.add(UUID.randomUUID());
        }
        return ids;
    }

    /** Writes {@code count} SUCCEEDED jobs of {@code type} for {@code owner} that ended a day ago; answers their ids. */
    public List<UUID> insertEndedLongAgo(String type, String owner, int count) throws SQLException {
        return insertEndedLongAgo(type, owner, newIds(count));
    }

    /** Writes SUCCEEDED jobs that ended a day ago, in one statement (so that they are there all at once). */
    public List<UUID> insertEndedLongAgo(String type, String owner, List<UUID> ids) throws SQLException {
        try (PreparedStatement insert = connection.prepareStatement("INSERT INTO jobs (id, type, created_by, state, "
                + "progress_unit, created_at, updated_at, finished_at) SELECT id, ?, ?, 'SUCCEEDED', 'rows', "
                + "now() - interval '1 day', now() - interval '1 day', now() - interval '1 day' FROM unnest(?) AS id")) {
            insert.setString(1, type);
            insert.setString(2, owner);
            insert.setArray(3, uuids(ids));
            insert.executeUpdate();
        }
        return ids;
    }

    /** How many of these jobs are still in the table. */
    public long count(List<UUID> ids) throws SQLException {
        try (PreparedStatement query = connection.prepareStatement("SELECT count(*) FROM jobs WHERE id = ANY(?)")) {
            query.setArray(1, uuids(ids));
            return single(query);
        }
    }

    /** Waits until none of these jobs is left, failing after {@code limit}. */
    public void awaitGone(List<UUID> ids, Duration limit) throws Exception {
        long deadline = System.nanoTime() + limit.toNanos();
        while (count(ids) > 0) {
            assertThat(System.nanoTime()).as("jobs %s deleted within %s", ids, limit).isLessThan(deadline);
            Thread.sleep(50);
        }
    }

    /** Ended jobs of every test, old or young. */
    public long ended() throws SQLException {
        try (PreparedStatement query = connection.prepareStatement(
                "SELECT count(*) FROM jobs WHERE state IN ('SUCCEEDED', 'FAILED', 'CANCELLED')")) {
            return single(query);
        }
    }

    public Runs runs(UUID id) throws SQLException {
        try (PreparedStatement query = connection.prepareStatement(
                "SELECT state, owner, attempts, abandoned FROM jobs WHERE id = ?")) {
            query.setObject(1, id);
            try (ResultSet row = query.executeQuery()) {
                if (!row.next()) {
                    throw new IllegalStateException("no job " + id);
                }
                return new Runs(row.getString(1), row.getString(2), row.getInt(3), row.getInt(4));
            }
        }
    }

    private Array uuids(List<UUID> ids) throws SQLException {
        return connection.createArrayOf("uuid", ids.toArray());
    }

    private static long single(PreparedStatement query) throws SQLException {
        try (ResultSet row = query.executeQuery()) {
            row.next();
            return row.getLong(1);
        }
    }

    @Override
    public void close() throws SQLException {
        connection.close();
    }
}
