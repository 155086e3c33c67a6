package io.zipflux.job.idempotency;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.zipflux.job.JobsClient;

import static org.assertj.core.api.Assertions.assertThat;

/** POSTs with an {@code Idempotency-Key} over real HTTP, answers kept as raw bytes (to compare them byte for byte). */
final class KeyedRequests {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private final JobsClient client;

    KeyedRequests(JobsClient client) {
        this.client = client;
    }

    /** An answer: status, the headers a client compares, the body's bytes. */
    record Reply(int status, String contentType, String location, boolean replayed, byte[] body) {

        JsonNode json() {
            try {
                return JSON.readTree(body);
            }
            catch (IOException ex) {
                throw new UncheckedIOException(ex);
            }
        }

        String text() {
            return new String(body, StandardCharsets.UTF_8);
        }

        /** The job id of a job answer (export, import, archive) or of an upload answer ({@code jobId}). */
        String jobId() {
            JsonNode json = json();
            return json.has("jobId") ? json.get("jobId").asText() : json.get("id").asText();
        }
    }

    /** POST {@code path} with the key (none when null), a body of {@code contentType} (none when null). */
    Reply post(String path, String key, String contentType, byte[] body) {
        HttpRequest.Builder request = client.request(path)
                .timeout(Duration.ofMinutes(2))
                .POST(body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
        if (key != null) {
            request.header("Idempotency-Key", key);
        }
        if (contentType != null) {
            request.header("Content-Type", contentType);
        }
        return send(request.build());
    }

    /** POST {@code path} with no body. */
    Reply post(String path, String key) {
        return post(path, key, null, null);
    }

    /** POST {@code path} with no body and an {@code Idempotency-Key} header for each of {@code keys}. */
    Reply postWithKeys(String path, String... keys) {
        HttpRequest.Builder request = client.request(path).POST(HttpRequest.BodyPublishers.noBody());
        for (String key : keys) {
            request.header("Idempotency-Key", key);
        }
        return send(request.build());
    }

    private Reply send(HttpRequest request) {
        try {
            HttpResponse<byte[]> response = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
            return new Reply(response.statusCode(), response.headers().firstValue("Content-Type").orElse(null),
                    response.headers().firstValue("Location").orElse(null),
                    response.headers().firstValue("Idempotent-Replayed").isPresent(), response.body());
        }
        catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(ex);
        }
    }

    /** The ids of the jobs of {@code type} this client sees (its own). */
    long jobCount(String type) {
        JobsClient.Answer list = client.get("/api/v1/jobs?type=" + type + "&limit=100");
        assertThat(list.status()).as("job list").isEqualTo(200);
        return list.body().size();
    }

    /** A multipart body with one file part, {@code boundary} as given. */
    static byte[] multipart(String boundary, String fileName, byte[] content) {
        byte[] head = ("--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"" + fileName
                + "\"\r\nContent-Type: application/octet-stream\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
        byte[] tail = ("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.US_ASCII);
        byte[] body = new byte[head.length + content.length + tail.length];
        System.arraycopy(head, 0, body, 0, head.length);
        System.arraycopy(content, 0, body, head.length, content.length);
        System.arraycopy(tail, 0, body, head.length + content.length, tail.length);
        return body;
    }

    static String multipartType(String boundary) {
        return "multipart/form-data; boundary=" + boundary;
    }
}
