package io.zipflux.chaos;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/** The jobs table read directly: jobs the API made that no answer named (a submission retried without idempotency). */
final class ChaosJobsTable {

    private ChaosJobsTable() {
    }

    /** Jobs in the table that are not among {@code jobs}' accepted ids: "type state (attempts n): error". */
    static List<String> others(String r2dbcUrl, List<ChaosJob> jobs) throws Exception {
        Set<String> accepted = jobs.stream().filter(ChaosJob::accepted).map(job -> job.id).collect(Collectors.toSet());
        List<String> others = new ArrayList<>();
        try (Connection connection = DriverManager.getConnection(r2dbcUrl.replaceFirst("^r2dbc:", "jdbc:"), "postgres", "postgres");
             Statement statement = connection.createStatement();
             ResultSet row = statement.executeQuery("SELECT id::text, type, state, attempts, error FROM jobs ORDER BY created_at")) {
            while (row.next()) {
                if (!accepted.contains(row.getString(1))) {
                    others.add(row.getString(2) + " " + row.getString(1) + " " + row.getString(3) + " (attempts "
                            + row.getInt(4) + ")" + (row.getString(5) == null ? "" : ": " + row.getString(5)));
                }
            }
        }
        return others;
    }
}
