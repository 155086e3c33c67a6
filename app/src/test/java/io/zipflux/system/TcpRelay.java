package io.zipflux.system;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A loopback TCP relay in front of a local service, that a test can turn into a black hole: connections
 * are then accepted and held, but nothing reaches the service and nothing comes back (a service that hangs,
 * the worst case for a probe). {@link #restore()} relays again. Threads are daemons; {@link #close()} ends all.
 */
public final class TcpRelay implements AutoCloseable {

    private final ServerSocket server;

    private final int target;

    private final List<Socket> open = new CopyOnWriteArrayList<>();

    private volatile boolean blackHole;

    public TcpRelay(int target) {
        this.target = target;
        try {
            this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        }
        catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
        daemon(this::accept, "tcp-relay-accept");
    }

    public int port() {
        return server.getLocalPort();
    }

    /** From now on nothing passes: connections made through the relay are cut, new ones are held without an answer. */
    public void blackHole() {
        blackHole = true;
        closeAll();
    }

    /** Relays new connections again (the held ones are closed). */
    public void restore() {
        blackHole = false;
        closeAll();
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket client = server.accept();
                open.add(client);
                if (!blackHole) {
                    relay(client);
                }
            }
            catch (IOException ex) {
                // closed: the relay ends
            }
        }
    }

    private void relay(Socket client) throws IOException {
        Socket service = new Socket();
        open.add(service);
        service.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), target), 2000);
        daemon(() -> pipe(client, service), "tcp-relay-up");
        daemon(() -> pipe(service, client), "tcp-relay-down");
    }

    private static void pipe(Socket from, Socket to) {
        byte[] buffer = new byte[16 * 1024];
        try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
            for (int read = in.read(buffer); read >= 0; read = in.read(buffer)) {
                out.write(buffer, 0, read);
            }
        }
        catch (IOException ex) {
            // one side closed or was cut
        }
        finally {
            quietly(from);
            quietly(to);
        }
    }

    private void closeAll() {
        for (Socket socket : open) {
            quietly(socket);
        }
        open.clear();
    }

    private static void quietly(Socket socket) {
        try {
            socket.close();
        }
        catch (IOException ex) {
            // already closed
        }
    }

    private static void daemon(Runnable task, String name) {
        Thread thread = new Thread(task, name);
        thread.setDaemon(true);
        thread.start();
    }

    @Override
    public void close() {
        try {
            server.close();
        }
        catch (IOException ex) {
            // already closed
        }
        closeAll();
    }
}
