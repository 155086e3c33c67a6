package io.zipflux.webhook;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.BiFunction;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A webhook receiver on 127.0.0.1 (JDK HttpServer): records every request it gets, per path, and
 * answers as its script says for the n-th request (from 1) on a path: a status with headers, or no
 * answer until it is closed (a hanging receiver).
 */
final class WebhookReceiver implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** One request as received: its headers (lower-case names), body and arrival time. */
    record Received(Map<String, String> headers, byte[] body, Instant at) {

        String header(String name) {
            return headers.get(name);
        }

        String text() {
            return new String(body, StandardCharsets.UTF_8);
        }

        JsonNode json() throws IOException {
            return JSON.readTree(body);
        }
    }

    /** An answer: a status and headers, or none at all ({@code hang}). */
    record Reply(int status, Map<String, String> headers, boolean hangs) {

        static Reply status(int status) {
            return new Reply(status, Map.of(), false);
        }

        static Reply noAnswer() {
            return new Reply(0, Map.of(), true);
        }

        Reply header(String name, String value) {
            Map<String, String> more = new TreeMap<>(headers);
            more.put(name, value);
            return new Reply(status, more, hangs);
        }
    }

    private final HttpServer server;

    private final ExecutorService threads = Executors.newCachedThreadPool();

    private final Map<String, List<Received>> received = new ConcurrentHashMap<>();

    private final CountDownLatch closed = new CountDownLatch(1);

    private final BiFunction<String, Integer, Reply> script;

    private WebhookReceiver(int port, BiFunction<String, Integer, Reply> script) throws IOException {
        this.script = script;
        this.server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 50);
        server.createContext("/", this::handle);
        server.setExecutor(threads);
        server.start();
    }

    /** A receiver on a free port that answers {@code script(path, n)}. */
    static WebhookReceiver start(BiFunction<String, Integer, Reply> script) throws IOException {
        return new WebhookReceiver(0, script);
    }

    /** A receiver on {@code port} (one that was free, see {@link #freePort()}). */
    static WebhookReceiver start(int port, BiFunction<String, Integer, Reply> script) throws IOException {
        return new WebhookReceiver(port, script);
    }

    /** A port nothing listens on now: a receiver that is down. */
    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
            return socket.getLocalPort();
        }
    }

    static String url(int port, String path) {
        return "http://127.0.0.1:" + port + path;
    }

    String url(String path) {
        return url(server.getAddress().getPort(), path);
    }

    /** {@code url(path)} encoded as a query parameter value. */
    static String query(String url) {
        return "callbackUrl=" + URLEncoder.encode(url, StandardCharsets.UTF_8);
    }

    List<Received> received(String path) {
        return List.copyOf(received.getOrDefault(path, List.of()));
    }

    /** Waits until {@code path} got at least {@code count} requests; fails after {@code limit}. */
    List<Received> await(String path, int count, Duration limit) throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        while (received(path).size() < count) {
            assertThat(System.nanoTime()).as("%s requests on %s within %s, got %s", count, path, limit,
                    received(path).size()).isLessThan(deadline);
            Thread.sleep(20);
        }
        return received(path);
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            Map<String, String> headers = new TreeMap<>();
            exchange.getRequestHeaders().forEach((name, values) -> headers.put(name.toLowerCase(), String.join(",", values)));
            byte[] body = exchange.getRequestBody().readAllBytes();
            String path = exchange.getRequestURI().getPath();
            List<Received> onPath = received.computeIfAbsent(path, key -> new CopyOnWriteArrayList<>());
            int nth;
            synchronized (onPath) {
                onPath.add(new Received(headers, body, Instant.now()));
                nth = onPath.size();
            }
            Reply reply = script.apply(path, nth);
            if (reply.hangs()) {
                closed.await();
                return;
            }
            reply.headers().forEach((name, value) -> exchange.getResponseHeaders().set(name, value));
            exchange.sendResponseHeaders(reply.status(), -1);
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
        catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }

    @Override
    public void close() {
        closed.countDown();
        server.stop(0);
        threads.shutdownNow();
    }
}
