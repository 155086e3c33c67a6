package io.zipflux.chaos;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.LongSupplier;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The chaos client: every request goes to one of the instances in turn and, while instances are
 * down (refused, reset, timed out, 502/503/504), is sent again to the next until its deadline.
 */
final class ChaosApi {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient client = HttpClient.newBuilder()
            .connectTimeout(Duration.ofSeconds(2))
            .version(HttpClient.Version.HTTP_1_1)
            .build();

    private final List<ChaosInstance> instances;

    private final String key;

    private final AtomicInteger next = new AtomicInteger();

    ChaosApi(List<ChaosInstance> instances, String key) {
        this.instances = instances;
        this.key = key;
    }

    /** An answer: its status and body. */
    record Answer(int status, byte[] body, String instance) {

        JsonNode json() {
            try {
                return JSON.readTree(body);
            }
            catch (IOException ex) {
                return JSON.createObjectNode().put("unparsed", new String(body, 0, Math.min(body.length, 300)));
            }
        }
    }

    /** What a failed try saw, for the report. */
    record Failure(String instance, String what) {
    }

    /**
     * Sends the request {@code request} builds for an instance's base URL until an answer other than a
     * transient one, or until {@code limit}; each failed try is passed to {@code failures}.
     */
    Answer send(Function<String, HttpRequest.Builder> request, Duration limit, java.util.function.Consumer<Failure> failures)
            throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        return send(request, () -> deadline, failures);
    }

    /** As above, until the deadline (System.nanoTime()) {@code deadline} answers at the time of each failed try. */
    Answer send(Function<String, HttpRequest.Builder> request, LongSupplier deadline,
            java.util.function.Consumer<Failure> failures) throws InterruptedException {
        while (true) {
            ChaosInstance instance = instances.get(Math.floorMod(next.getAndIncrement(), instances.size()));
            String failure;
            try {
                HttpRequest built = request.apply(instance.baseUrl())
                        .header("Authorization", "Bearer " + key)
                        .timeout(Duration.ofSeconds(30))
                        .build();
                HttpResponse<byte[]> response = client.send(built, HttpResponse.BodyHandlers.ofByteArray());
                Answer answer = new Answer(response.statusCode(), response.body(), instance.name());
                if (!transientAnswer(answer)) {
                    return answer;
                }
                failure = "status " + response.statusCode() + ": " + new String(answer.body(), 0, Math.min(answer.body().length, 200));
            }
            catch (IOException ex) {
                failure = ex.getClass().getSimpleName() + (ex.getMessage() == null ? "" : ": " + ex.getMessage());
            }
            failures.accept(new Failure(instance.name(), failure));
            if (System.nanoTime() - deadline.getAsLong() > 0) {
                return new Answer(-1, failure.getBytes(), instance.name());
            }
            Thread.sleep(300);
        }
    }

    Answer send(Function<String, HttpRequest.Builder> request, Duration limit) throws InterruptedException {
        return send(request, limit, failure -> { });
    }

    /** GET of {@code path}, retried while instances are down. */
    Answer get(String path, Duration limit) throws InterruptedException {
        return send(base -> HttpRequest.newBuilder(URI.create(base + path)).GET(), limit);
    }

    /**
     * Worth another try: the instance is busy or its services are away, or the first try of this
     * Idempotency-Key is still held (by an instance killed mid-request until its reservation lapses).
     */
    private static boolean transientAnswer(Answer answer) {
        int status = answer.status();
        return status == 500 || status == 502 || status == 503 || status == 504 || status == 429
                || status == 409 && new String(answer.body(), java.nio.charset.StandardCharsets.UTF_8).contains("\"Request in progress\"");
    }
}
