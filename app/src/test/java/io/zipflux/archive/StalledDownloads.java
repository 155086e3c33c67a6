package io.zipflux.archive;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import io.zipflux.system.RawConnection;

/**
 * Downloads whose clients read the answer's head and then nothing, like clients on a very slow link:
 * each holds its stream (and the buffers the server keeps for it) until they are all closed together.
 */
final class StalledDownloads implements AutoCloseable {

    private final int port;

    private final List<RawConnection> connections = new ArrayList<>();

    private String lastHead = "";

    StalledDownloads(int port) {
        this.port = port;
    }

    /** Starts one more, on a connection with a 4 KB receive buffer: the status of its answer, once the head is read. */
    int start(String path) throws IOException {
        RawConnection connection = new RawConnection(port, 4096);
        connections.add(connection);
        connection.send(RawConnection.get(path));
        lastHead = connection.head(Duration.ofSeconds(10));
        return Integer.parseInt(lastHead.substring(9, 12));
    }

    /** The status line and headers of the last answer. */
    String lastHead() {
        return lastHead;
    }

    int count() {
        return connections.size();
    }

    @Override
    public void close() throws IOException {
        for (RawConnection connection : connections) {
            connection.close();
        }
        connections.clear();
    }
}
