package io.zipflux.job;

import java.io.StringWriter;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;

import org.postgresql.PGConnection;

/**
 * The {@code responses} table of a test's database, reached over plain JDBC: the independent side
 * that exports are compared with (PostgreSQL's own COPY, as {@code psql \copy} runs it).
 */
public final class ResponsesTable implements AutoCloseable {

    /** The export's query, written independently: COPY formats the rows, not zipflux. */
    public static final String EXPORT_QUERY = "SELECT id, form_id, respondent, "
            + "to_char(submitted_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"') AS submitted_at, answers FROM responses "
            + "WHERE submitted_at >= '%s'::date AT TIME ZONE 'UTC' AND submitted_at < ('%s'::date + 1) AT TIME ZONE 'UTC' "
            + "ORDER BY submitted_at, id";

    private final Connection connection;

    public ResponsesTable(String r2dbcUrl) throws SQLException {
        this.connection = DriverManager.getConnection(r2dbcUrl.replaceFirst("^r2dbc:", "jdbc:"), "postgres", "postgres");
    }

    /**
     * CSV of {@code rows} valid responses of {@code formId}, with ids from 9,000,001 + {@code firstId}
     * (clear of the ids PostgreSQL generates in a test database).
     */
    public static String csv(String formId, int rows, int firstId) {
        StringBuilder csv = new StringBuilder("id,form_id,respondent,submitted_at,answers\r\n");
        for (int i = 1; i <= rows; i++) {
            csv.append(9_000_000 + firstId + i).append(',').append(formId).append(",\"respondent ").append(i)
                    .append(", with a comma\",2030-01-01T00:00:00Z,\"{\"\"n\"\": ").append(i).append("}\"\r\n");
        }
        return csv.toString();
    }

    /** A response to insert; {@code answers} is JSON text. */
    public record Response(String formId, String respondent, OffsetDateTime submittedAt, String answers) {
    }

    public void insert(List<Response> responses) throws SQLException {
        try (PreparedStatement insert = connection.prepareStatement(
                "INSERT INTO responses (form_id, respondent, submitted_at, answers) VALUES (?, ?, ?, ?::jsonb)")) {
            for (Response response : responses) {
                insert.setString(1, response.formId());
                insert.setString(2, response.respondent());
                insert.setObject(3, response.submittedAt());
                insert.setString(4, response.answers());
                insert.addBatch();
            }
            insert.executeBatch();
        }
    }

    /** Adds {@code rows} plain responses of form {@code formId}, one a second from {@code first}. */
    public void insertMany(String formId, int rows, OffsetDateTime first) throws SQLException {
        try (PreparedStatement insert = connection.prepareStatement(
                "INSERT INTO responses (form_id, respondent, submitted_at, answers) SELECT ?, 'respondent ' || i, "
                        + "?::timestamptz + i * interval '1 second', jsonb_build_object('n', i, 'text', 'some, \"text\"') "
                        + "FROM generate_series(1, ?) AS i")) {
            insert.setString(1, formId);
            insert.setObject(2, first);
            insert.setInt(3, rows);
            insert.executeUpdate();
        }
    }

    public long count() throws SQLException {
        return queryLong("SELECT count(*) FROM responses");
    }

    public long count(String formId) throws SQLException {
        try (PreparedStatement query = connection.prepareStatement("SELECT count(*) FROM responses WHERE form_id = ?")) {
            query.setString(1, formId);
            try (ResultSet row = query.executeQuery()) {
                row.next();
                return row.getLong(1);
            }
        }
    }

    /** Rows a COPY into this database (into {@code responses} or an import's staging table) has taken so far, committed or not. */
    public long rowsBeingCopied() throws SQLException {
        return queryLong("SELECT coalesce(sum(tuples_processed), 0) FROM pg_stat_progress_copy "
                + "WHERE datname = current_database() AND command = 'COPY FROM'");
    }

    /** Takes the next id the {@code responses} sequence gives (so the test knows where new ids start). */
    public long nextId() throws SQLException {
        return queryLong("SELECT nextval(pg_get_serial_sequence('responses', 'id'))");
    }

    public void execute(String sql) throws SQLException {
        try (Statement statement = connection.createStatement()) {
            statement.execute(sql);
        }
    }

    /** Every column of the responses of a form as text, by id: what a round trip must keep. */
    public List<List<String>> rows(String formId) throws SQLException {
        try (PreparedStatement query = connection.prepareStatement("SELECT id::text, form_id, respondent, "
                + "submitted_at::text, answers::text FROM responses WHERE form_id = ? ORDER BY id")) {
            query.setString(1, formId);
            List<List<String>> rows = new ArrayList<>();
            try (ResultSet row = query.executeQuery()) {
                while (row.next()) {
                    rows.add(List.of(row.getString(1), row.getString(2), row.getString(3), row.getString(4), row.getString(5)));
                }
            }
            return rows;
        }
    }

    /** {@code COPY (query) TO STDOUT (FORMAT csv, HEADER)}: what {@code psql \copy (query) to file csv header} writes. */
    public String copyOut(String query) throws Exception {
        StringWriter out = new StringWriter();
        connection.unwrap(PGConnection.class).getCopyAPI()
                .copyOut("COPY (" + query + ") TO STDOUT (FORMAT csv, HEADER)", out);
        return out.toString();
    }

    private long queryLong(String sql) throws SQLException {
        try (Statement statement = connection.createStatement(); ResultSet row = statement.executeQuery(sql)) {
            row.next();
            return row.getLong(1);
        }
    }

    @Override
    public void close() throws SQLException {
        connection.close();
    }
}
