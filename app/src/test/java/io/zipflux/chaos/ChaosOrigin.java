package io.zipflux.chaos;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * The origin url-archive jobs fetch from: a JDK HTTP server on 127.0.0.1 that outlives every fault,
 * serving generated files slowly (a pause between chunks) so that fetches are under way when faults strike.
 */
final class ChaosOrigin implements AutoCloseable {

    private static final int CHUNK = 64 << 10;

    private final HttpServer server;

    private final Map<String, byte[]> files = new ConcurrentHashMap<>();

    private final long chunkPauseMillis;

    private ChaosOrigin(HttpServer server, long chunkPauseMillis) {
        this.server = server;
        this.chunkPauseMillis = chunkPauseMillis;
    }

    static ChaosOrigin start(long chunkPauseMillis) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 64);
        ChaosOrigin origin = new ChaosOrigin(server, chunkPauseMillis);
        server.createContext("/files/", origin::serve);
        server.setExecutor(Executors.newCachedThreadPool(runnable -> {
            Thread thread = new Thread(runnable, "chaos-origin");
            thread.setDaemon(true);
            return thread;
        }));
        server.start();
        return origin;
    }

    /** Adds a file of {@code size} random bytes; answers its URL. */
    String add(String name, int size, Random random) {
        byte[] bytes = new byte[size];
        random.nextBytes(bytes);
        files.put(name, bytes);
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/files/" + name;
    }

    byte[] bytes(String name) {
        return files.get(name);
    }

    private void serve(HttpExchange exchange) throws IOException {
        try (exchange) {
            byte[] bytes = files.get(exchange.getRequestURI().getPath().substring("/files/".length()));
            if (bytes == null) {
                exchange.sendResponseHeaders(404, -1);
                return;
            }
            exchange.getResponseHeaders().add("Content-Type", "application/octet-stream");
            exchange.sendResponseHeaders(200, bytes.length);
            if (exchange.getRequestMethod().equals("HEAD")) {
                return;
            }
            OutputStream body = exchange.getResponseBody();
            for (int at = 0; at < bytes.length; at += CHUNK) {
                body.write(bytes, at, Math.min(CHUNK, bytes.length - at));
                body.flush();
                pause();
            }
        }
        catch (IOException clientLeft) {
            // A fetching instance killed mid-transfer: nothing to do, it fetches again.
        }
    }

    private void pause() throws IOException {
        try {
            Thread.sleep(chunkPauseMillis);
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new IOException("origin stopped", ex);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
