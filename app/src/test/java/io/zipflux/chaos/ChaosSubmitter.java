package io.zipflux.chaos;

import java.net.URI;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.function.LongSupplier;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Submits one chaos job as a patient client would: the job-creating request carries an
 * {@code Idempotency-Key} and is sent again (to the other instance) while it fails; an import's data is
 * sent again only while its job is still QUEUED (no instance took it).
 */
final class ChaosSubmitter {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final ChaosApi api;

    /** Until when (System.nanoTime()) a request is tried again: moved once the faults are over. */
    private final LongSupplier deadline;

    ChaosSubmitter(ChaosApi api, LongSupplier deadline) {
        this.api = api;
        this.deadline = deadline;
    }

    void submit(ChaosJob job) throws InterruptedException {
        ChaosApi.Answer answer = api.send(base -> create(job, base).header("Idempotency-Key", job.idempotencyKey), deadline,
                failure -> job.failedTries.add(failure.instance() + ": " + failure.what()));
        JsonNode body = answer.json();
        if (answer.status() / 100 != 2) {
            job.notes.add("not accepted: status " + answer.status() + " " + body);
            return;
        }
        if (job.expected instanceof ChaosJob.Hash) {
            job.fileId = body.path("id").asText();
            job.id = body.path("jobId").asText();
        }
        else {
            job.id = body.path("id").asText();
        }
        if (job.expected instanceof ChaosJob.Import data) {
            sendImportData(job, data);
        }
    }

    private HttpRequest.Builder create(ChaosJob job, String base) {
        if (job.expected instanceof ChaosJob.Hash hash) {
            String boundary = "chaos-" + UUID.randomUUID();
            byte[] head = ("--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"" + job.label
                    + ".bin\"\r\nContent-Type: application/octet-stream\r\n\r\n").getBytes();
            byte[] tail = ("\r\n--" + boundary + "--\r\n").getBytes();
            return HttpRequest.newBuilder(URI.create(base + "/api/v1/files"))
                    .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                    .POST(HttpRequest.BodyPublishers.concat(HttpRequest.BodyPublishers.ofByteArray(head),
                            HttpRequest.BodyPublishers.ofByteArray(hash.content()), HttpRequest.BodyPublishers.ofByteArray(tail)));
        }
        if (job.expected instanceof ChaosJob.Export export) {
            return HttpRequest.newBuilder(URI.create(base + "/api/v1/exports?from=" + export.from() + "&to=" + export.to()))
                    .POST(HttpRequest.BodyPublishers.noBody());
        }
        if (job.expected instanceof ChaosJob.UrlArchive archive) {
            return HttpRequest.newBuilder(URI.create(base + "/api/v1/archives"))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(archiveRequest(archive)));
        }
        return HttpRequest.newBuilder(URI.create(base + "/api/v1/imports"))
                .POST(HttpRequest.BodyPublishers.noBody());
    }

    private static String archiveRequest(ChaosJob.UrlArchive archive) {
        ObjectNode request = JSON.createObjectNode();
        ArrayNode entries = request.putArray("entries");
        archive.urlsByName().forEach((name, url) -> entries.addObject().put("url", url).put("name", name));
        return request.toString();
    }

    /** PUTs the CSV; sends it again only while the job is still QUEUED (the try reached no instance's import). */
    private void sendImportData(ChaosJob job, ChaosJob.Import data) throws InterruptedException {
        while (true) {
            ChaosApi.Answer put = api.send(base -> HttpRequest.newBuilder(URI.create(base + "/api/v1/imports/" + job.id))
                    .header("Content-Type", "text/csv")
                    .PUT(HttpRequest.BodyPublishers.ofString(data.csv())), Duration.ZERO,
                    failure -> job.failedTries.add("PUT " + failure.instance() + ": " + failure.what()));
            if (put.status() > 0) {
                job.notes.add("PUT answered " + put.status() + (put.status() == 200 ? "" : " " + put.json()));
            }
            if (put.status() == 200 || System.nanoTime() - deadline.getAsLong() > 0) {
                return;
            }
            ChaosApi.Answer now = api.send(base -> HttpRequest.newBuilder(URI.create(base + "/api/v1/jobs/" + job.id)).GET(),
                    deadline, failure -> { });
            if (!now.json().path("state").asText().equals("QUEUED")) {
                return;
            }
            Thread.sleep(500);
        }
    }
}
