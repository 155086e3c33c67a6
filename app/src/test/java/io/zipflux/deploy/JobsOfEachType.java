package io.zipflux.deploy;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.http.HttpRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import com.sun.net.httpserver.HttpServer;

import io.zipflux.job.JobsClient;
import io.zipflux.job.JobsClient.Answer;
import io.zipflux.job.ResponsesTable;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Work that makes an instance publish every series its dashboard and alerts ask for: a hash, an
 * export, a good and a bad import, a url-archive job (of one of the instance's own archives) whose
 * webhook a local receiver on 127.0.0.1 takes, and a 404.
 */
final class JobsOfEachType {

    /** Long enough for a loaded machine (two cores shared by several test runs). */
    private static final Duration JOB_LIMIT = Duration.ofSeconds(90);

    private JobsOfEachType() {
    }

    /** Runs them on the instance of {@code api}, which serves archives of {@code photosDir}; each ends as expected. */
    static void run(JobsClient api, Path photosDir, Path files) throws Exception {
        AtomicInteger webhooks = new AtomicInteger();
        HttpServer receiver = webhookReceiver(webhooks);
        try {
            hash(api, files);
            export(api);
            imports(api);
            urlArchive(api, photosDir, "http://127.0.0.1:" + receiver.getAddress().getPort() + "/hook");
            assertThat(api.get("/api/v1/jobs/00000000-0000-0000-0000-000000000000").status()).isEqualTo(404);
            awaitWebhook(webhooks);
        }
        finally {
            receiver.stop(0);
        }
    }

    private static void hash(JobsClient api, Path files) throws Exception {
        Answer upload = api.upload("file", Files.write(files.resolve("hashed.bin"), new byte[200_000]));
        assertThat(upload.status()).as("upload: %s", upload.body()).isEqualTo(202);
        api.awaitState(upload.body().get("jobId").asText(), "SUCCEEDED", JOB_LIMIT);
    }

    private static void export(JobsClient api) throws InterruptedException {
        Answer export = api.post("/api/v1/exports?from=2042-03-01&to=2042-03-02");
        assertThat(export.status()).as("export: %s", export.body()).isEqualTo(202);
        api.awaitState(export.body().get("id").asText(), "SUCCEEDED", JOB_LIMIT);
    }

    private static void imports(JobsClient api) {
        Answer imported = api.send("POST", "/api/v1/imports", "text/csv",
                HttpRequest.BodyPublishers.ofString(ResponsesTable.csv("monitoring", 20, 420_000)));
        assertThat(imported.body().get("state").asText()).as("import: %s", imported.body()).isEqualTo("SUCCEEDED");
        Answer badImport = api.send("POST", "/api/v1/imports", "text/csv",
                HttpRequest.BodyPublishers.ofString("id,form_id,respondent,submitted_at,answers\r\n1,f,r,not a date,{}\r\n"));
        assertThat(badImport.body().get("state").asText()).as("bad import: %s", badImport.body()).isEqualTo("FAILED");
    }

    private static void urlArchive(JobsClient api, Path photosDir, String callback) throws Exception {
        Path folder = Files.createDirectories(photosDir.resolve("monitoring-probe"));
        Files.write(folder.resolve("photo.jpg"), new byte[50_000]);
        String archive = "{\"entries\": [{\"url\": \"http://127.0.0.1:" + api.port() + "/archive/monitoring-probe/\", "
                + "\"name\": \"probe.zip\"}], \"callbackUrl\": \"" + callback + "\"}";
        Answer job = api.send("POST", "/api/v1/archives", "application/json", HttpRequest.BodyPublishers.ofString(archive));
        assertThat(job.status()).as("url-archive: %s", job.body()).isEqualTo(202);
        api.awaitState(job.body().get("id").asText(), "SUCCEEDED", JOB_LIMIT);
    }

    /** Answers 204 to every POST of /hook, counting them. */
    private static HttpServer webhookReceiver(AtomicInteger received) throws IOException {
        HttpServer receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        receiver.createContext("/hook", exchange -> {
            exchange.getRequestBody().readAllBytes();
            received.incrementAndGet();
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
        });
        receiver.start();
        return receiver;
    }

    private static void awaitWebhook(AtomicInteger received) throws InterruptedException {
        long deadline = System.nanoTime() + JOB_LIMIT.toNanos();
        while (received.get() == 0) {
            assertThat(System.nanoTime()).as("a webhook delivered").isLessThan(deadline);
            Thread.sleep(50);
        }
    }
}
