package io.zipflux.job;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.springframework.util.FileSystemUtils;

/**
 * A real PostgreSQL of a test's own that can be restarted (the same port and data directory, kept across a
 * stop), and whose backends can be terminated from a second connection: the faults a running job meets.
 */
public final class RestartablePostgres implements AutoCloseable {

    private final int port;

    private final Path dataDir;

    private EmbeddedPostgres postgres;

    public RestartablePostgres() throws IOException {
        this.port = freePort();
        this.dataDir = Files.createTempDirectory("restartable-postgres");
        this.postgres = start();
    }

    private EmbeddedPostgres start() throws IOException {
        return EmbeddedPostgres.builder()
                .setPort(port)
                .setDataDirectory(dataDir)
                .setCleanDataDirectory(false)
                .start();
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    public String r2dbcUrl() {
        return "r2dbc:postgresql://localhost:" + port + "/postgres";
    }

    /** Stops PostgreSQL (fast shutdown: every backend is terminated), keeps it down for {@code down}, starts it again. */
    public synchronized void restart(Duration down) throws IOException, InterruptedException {
        postgres.close();
        Thread.sleep(down.toMillis());
        postgres = start();
    }

    /** When the running postmaster started (it changes with a restart). */
    public Instant startedAt() throws SQLException {
        try (Connection connection = connect(); Statement statement = connection.createStatement();
             ResultSet row = statement.executeQuery("SELECT pg_postmaster_start_time()")) {
            row.next();
            return row.getTimestamp(1).toInstant();
        }
    }

    /**
     * Terminates the backends of other sessions whose query (running, or last of a transaction still open, as for a
     * query whose rows wait in socket buffers) starts with {@code queryPrefix}, as an operator's
     * {@code pg_terminate_backend} or a failover would; answers how many.
     */
    public int terminate(String queryPrefix) throws SQLException {
        try (Connection connection = connect();
             var select = connection.prepareStatement("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                     + "WHERE pid <> pg_backend_pid() AND state IN ('active', 'idle in transaction') AND query LIKE ? || '%'")) {
            select.setString(1, queryPrefix);
            try (ResultSet row = select.executeQuery()) {
                row.next();
                return row.getInt(1);
            }
        }
    }

    private Connection connect() throws SQLException {
        return DriverManager.getConnection("jdbc:postgresql://localhost:" + port + "/postgres", "postgres", "postgres");
    }

    @Override
    public synchronized void close() {
        try {
            postgres.close();
        }
        catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
        finally {
            FileSystemUtils.deleteRecursively(dataDir.toFile());
        }
    }
}
