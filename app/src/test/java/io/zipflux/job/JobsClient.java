package io.zipflux.job;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.function.Predicate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import static org.assertj.core.api.Assertions.assertThat;

/** Drives one zipflux instance over real HTTP: uploads, job status, control. */
public final class JobsClient {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private final String base;

    /** Sent as {@code Authorization: Bearer <key>}; null for requests without a credential. */
    private final String key;

    /** A client without a credential (for open routes, and to be refused by the others). */
    public JobsClient(int port) {
        this(port, null);
    }

    /** A client sending {@code key} (an API key or token) with every request. */
    public JobsClient(int port, String key) {
        this.base = "http://127.0.0.1:" + port;
        this.key = key;
    }

    /** The same instance with another credential (null for none). */
    public JobsClient as(String otherKey) {
        return new JobsClient(port(), otherKey);
    }

    /** The key this client sends (null when none). */
    public String key() {
        return key;
    }

    /** The port of the instance this client drives. */
    public int port() {
        return URI.create(base).getPort();
    }

    /** A response with its body parsed as JSON (null when empty). */
    public record Answer(int status, String contentType, JsonNode body) {
    }

    public Answer get(String path) {
        return send(request(path).GET());
    }

    public Answer post(String path) {
        return send(request(path).POST(HttpRequest.BodyPublishers.noBody()));
    }

    /** A request with a body of {@code contentType} (none when null). */
    public Answer send(String method, String path, String contentType, HttpRequest.BodyPublisher body) {
        HttpRequest.Builder request = request(path).method(method, body);
        return send(contentType == null ? request : request.header("Content-Type", contentType));
    }

    /** A response's raw bytes, with request headers given as name, value, name, value... */
    public HttpResponse<byte[]> bytes(String path, String... headers) {
        HttpRequest.Builder request = request(path).timeout(Duration.ofMinutes(2)).GET();
        if (headers.length > 0) {
            request.headers(headers);
        }
        try {
            return http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
        }
        catch (IOException ex) {
            throw new IllegalStateException(ex);
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(ex);
        }
    }

    /** Uploads a file as multipart field {@code field}, streamed from disk. */
    public Answer upload(String field, Path file) throws IOException {
        return upload("/api/v1/files", field, file);
    }

    /** Uploads a file to {@code path} (the upload route, with a query perhaps) as multipart field {@code field}. */
    public Answer upload(String path, String field, Path file) throws IOException {
        String boundary = "zipflux-" + UUID.randomUUID();
        String head = "--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + field + "\"; filename=\""
                + file.getFileName() + "\"\r\nContent-Type: application/octet-stream\r\n\r\n";
        String tail = "\r\n--" + boundary + "--\r\n";
        HttpRequest.BodyPublisher body = HttpRequest.BodyPublishers.concat(
                HttpRequest.BodyPublishers.ofString(head),
                HttpRequest.BodyPublishers.ofFile(file),
                HttpRequest.BodyPublishers.ofString(tail));
        return send(request(path)
                .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .POST(body));
    }

    /** A multipart body with only a text field, no file. */
    public Answer uploadWithoutFile() {
        String boundary = "zipflux-none";
        String body = "--" + boundary + "\r\nContent-Disposition: form-data; name=\"comment\"\r\n\r\nhello\r\n--" + boundary + "--\r\n";
        return send(request("/api/v1/files")
                .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .POST(HttpRequest.BodyPublishers.ofString(body)));
    }

    public JsonNode job(String id) {
        Answer answer = get("/api/v1/jobs/" + id);
        assertThat(answer.status()).as("GET job %s", id).isEqualTo(200);
        return answer.body();
    }

    /** Polls the job until {@code condition} holds, failing after {@code limit}. */
    public JsonNode awaitJob(String id, Duration limit, Predicate<JsonNode> condition) throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        JsonNode job = job(id);
        while (!condition.test(job)) {
            assertThat(System.nanoTime()).as("job %s still %s after %s", id, job, limit).isLessThan(deadline);
            Thread.sleep(50);
            job = job(id);
        }
        return job;
    }

    public JsonNode awaitState(String id, String state, Duration limit) throws InterruptedException {
        return awaitJob(id, limit, job -> job.get("state").asText().equals(state));
    }

    /** Uploads a file and waits until its hash job is running and has read {@code done} bytes. */
    public Answer uploadRunning(Path file, long done) throws IOException, InterruptedException {
        Answer accepted = upload("file", file);
        assertThat(accepted.status()).as("upload of %s", file).isEqualTo(202);
        awaitJob(accepted.body().get("jobId").asText(), Duration.ofSeconds(30), progressAtLeast(done));
        return accepted;
    }

    public static Predicate<JsonNode> progressAtLeast(long done) {
        return job -> job.get("progress").get("done").asLong() >= done;
    }

    private URI uri(String path) {
        return URI.create(base + path);
    }

    /** A request to {@code path} with this client's credential, if it has one. */
    public HttpRequest.Builder request(String path) {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri(path));
        return key == null ? request : request.header("Authorization", "Bearer " + key);
    }

    private Answer send(HttpRequest.Builder request) {
        try {
            return answer(http.send(request.timeout(Duration.ofMinutes(2)).build(),
                    HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8)));
        }
        catch (IOException ex) {
            throw new IllegalStateException(ex);
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(ex);
        }
    }

    private static Answer answer(HttpResponse<String> response) {
        String type = response.headers().firstValue("Content-Type").orElse("");
        try {
            JsonNode body = response.body().isBlank() ? null : parse(response.body(), type);
            return new Answer(response.statusCode(), type, body);
        }
        catch (IOException ex) {
            throw new IllegalStateException(ex);
        }
    }

    private static JsonNode parse(String body, String type) throws IOException {
        return type.contains("json") ? JSON.readTree(body) : JSON.valueToTree(Map.of("text", body));
    }
}
