package io.zipflux.deploy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.zipflux.system.DebianTools;

/**
 * Debian's Prometheus on a free loopback port, scraping one zipflux instance every two seconds (with an
 * API key, as in deploy/prometheus/prometheus.yml) and evaluating {@code rules}; its configuration,
 * key and database live in a temp folder. Asked through its HTTP API.
 */
final class PrometheusServer implements AutoCloseable {

    /** The job name the alert rules select ({@code up{job="zipflux"}}), as in the compose stack. */
    static final String JOB = "zipflux";

    /** Short, yet long enough for a scrape of a busy instance on a loaded machine. */
    static final Duration SCRAPE_INTERVAL = Duration.ofSeconds(2);

    private static final Duration STARTUP = Duration.ofSeconds(20);

    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private final Process process;

    private final Path dir;

    private final String base;

    private PrometheusServer(Process process, Path dir, int port) {
        this.process = process;
        this.dir = dir;
        this.base = "http://127.0.0.1:" + port;
    }

    /** Starts Prometheus scraping {@code 127.0.0.1:targetPort} with {@code key}; waits until it is ready. */
    static PrometheusServer start(int targetPort, String key, Path rules) throws IOException, InterruptedException {
        String prometheus = DebianTools.require("prometheus", "prometheus");
        Path dir = Files.createTempDirectory("zipflux-prometheus");
        Files.writeString(dir.resolve("zipflux.key"), key);
        Files.writeString(dir.resolve("prometheus.yml"), config(targetPort, dir.resolve("zipflux.key"), rules));
        int port = freeLoopbackPort();
        Process process = new ProcessBuilder(prometheus, "--config.file=" + dir.resolve("prometheus.yml"),
                "--storage.tsdb.path=" + dir.resolve("data"), "--web.listen-address=127.0.0.1:" + port,
                "--log.level=warn")
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("prometheus.out").toFile())
                .start();
        // Should the test JVM end without close() (a crash, a surefire timeout), Prometheus goes with it.
        Runtime.getRuntime().addShutdownHook(new Thread(process::destroyForcibly));
        PrometheusServer server = new PrometheusServer(process, dir, port);
        try {
            server.awaitReady();
        }
        catch (RuntimeException | InterruptedException ex) {
            server.close();
            throw ex;
        }
        return server;
    }

    private static String config(int targetPort, Path keyFile, Path rules) {
        return String.join("\n",
                "global:",
                "  scrape_interval: " + SCRAPE_INTERVAL.toSeconds() + "s",
                "  scrape_timeout: " + SCRAPE_INTERVAL.toSeconds() + "s",
                "  evaluation_interval: 1s",
                "rule_files:",
                "  - " + rules.toAbsolutePath(),
                "scrape_configs:",
                "  - job_name: " + JOB,
                "    metrics_path: /actuator/prometheus",
                "    authorization:",
                "      type: Bearer",
                "      credentials_file: " + keyFile,
                "    static_configs:",
                "      - targets: [\"127.0.0.1:" + targetPort + "\"]",
                "");
    }

    /** The answer of {@code /api/v1/query} for {@code promql} at the current time (status, data or error). */
    JsonNode query(String promql) {
        return post("/api/v1/query", "query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8));
    }

    /** The result vector of {@code promql}, or an empty list when the query fails or has none. */
    List<JsonNode> series(String promql) {
        JsonNode answer = query(promql);
        if (!"success".equals(answer.path("status").asText())) {
            return List.of();
        }
        return JSON.convertValue(answer.path("data").path("result"), JSON.getTypeFactory()
                .constructCollectionType(List.class, JsonNode.class));
    }

    /** The answer of a GET of the API ({@code /api/v1/rules}, say). */
    JsonNode get(String path) {
        return send(HttpRequest.newBuilder(URI.create(base + path)).GET());
    }

    /** Polls {@code read} until {@code condition} holds, failing after {@code limit} with Prometheus' output. */
    <T> T await(Supplier<T> read, Predicate<T> condition, Duration limit, String what)
            throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        T value = read.get();
        while (!condition.test(value)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(what + " within " + limit + "; last: " + value + "; Prometheus said:\n" + output());
            }
            Thread.sleep(200);
            value = read.get();
        }
        return value;
    }

    private void awaitReady() throws InterruptedException {
        long deadline = System.nanoTime() + STARTUP.toNanos();
        while (true) {
            if (!process.isAlive()) {
                throw new IllegalStateException("Prometheus ended:\n" + output());
            }
            try {
                HttpResponse<String> ready = http.send(HttpRequest.newBuilder(URI.create(base + "/-/ready")).GET().build(),
                        HttpResponse.BodyHandlers.ofString());
                if (ready.statusCode() == 200) {
                    return;
                }
            }
            catch (IOException notYet) {
                // not listening yet
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("Prometheus not ready within " + STARTUP + ":\n" + output());
            }
            Thread.sleep(100);
        }
    }

    private JsonNode post(String path, String form) {
        return send(HttpRequest.newBuilder(URI.create(base + path))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form)));
    }

    private JsonNode send(HttpRequest.Builder request) {
        try {
            HttpResponse<String> response = http.send(request.timeout(Duration.ofSeconds(10)).build(),
                    HttpResponse.BodyHandlers.ofString());
            return JSON.readTree(response.body());
        }
        catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(ex);
        }
    }

    /** What Prometheus wrote (warnings and errors), for failure messages. */
    String output() {
        try {
            return Files.readString(dir.resolve("prometheus.out"));
        }
        catch (IOException ex) {
            return "(no output: " + ex + ")";
        }
    }

    private static int freeLoopbackPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }
        catch (InterruptedException ex) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        }
        catch (IOException ex) {
            // a temp folder left behind is harmless
        }
    }
}
