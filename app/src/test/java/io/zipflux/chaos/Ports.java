package io.zipflux.chaos;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;

/** Free loopback ports, and waiting for a process to listen on one. */
final class Ports {

    private Ports() {
    }

    static int free() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    /** Waits until 127.0.0.1:port takes a connection; fails when {@code process} ends first or past the limit. */
    static void awaitListening(int port, Duration limit, ChildProcess process) throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        while (true) {
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress("127.0.0.1", port), 500);
                return;
            }
            catch (IOException notYet) {
                if (!process.isAlive()) {
                    throw new IllegalStateException(process.name() + " ended before listening; see " + process.log());
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException(process.name() + " not listening on " + port + " within " + limit);
                }
                Thread.sleep(200);
            }
        }
    }
}
