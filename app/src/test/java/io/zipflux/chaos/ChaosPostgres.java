package io.zipflux.chaos;

import java.io.IOException;
import java.nio.file.Path;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

/**
 * A real PostgreSQL (zonky's embedded binaries) on a fixed port and data folder, kept across restarts:
 * a restart stops the server (every connection is closed) and starts it again on the same data.
 */
final class ChaosPostgres implements AutoCloseable {

    private final int port;

    private final Path data;

    private EmbeddedPostgres server;

    private ChaosPostgres(int port, Path data) {
        this.port = port;
        this.data = data;
    }

    static ChaosPostgres start(Path data) throws IOException {
        ChaosPostgres postgres = new ChaosPostgres(Ports.free(), data);
        postgres.startAgain();
        return postgres;
    }

    /** Starts the server on its data folder (initialized only the first time). */
    synchronized void startAgain() throws IOException {
        server = EmbeddedPostgres.builder()
                .setPort(port)
                .setDataDirectory(data)
                .setCleanDataDirectory(false)
                .setRegisterShutdownHook(false)
                .start();
    }

    /** Stops the server; its data stays. */
    synchronized void stop() throws IOException {
        if (server != null) {
            server.close();
            server = null;
        }
    }

    String r2dbcUrl() {
        return "r2dbc:postgresql://127.0.0.1:" + port + "/postgres";
    }

    @Override
    public void close() throws IOException {
        stop();
    }
}
