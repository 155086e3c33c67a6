package io.zipflux.job.urlarchive;

import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Value;


import io.zipflux.job.JobsClient;

import static org.assertj.core.api.Assertions.assertThat;

/** Pause, resume and cancel of url-archive jobs as the origin sees them, and the download's HTTP contract. */
class UrlArchiveControlTest extends OriginTests {

    @Value("${spring.r2dbc.url}")
    private String r2dbcUrl;

    /** A file the origin sends at about 8 MB/s. */
    private static TestOrigin.File slowFile(String name, int size) {
        TestOrigin.File file = origin.file(name, size);
        file.chunkDelay = Duration.ofMillis(2);
        return file;
    }

    @Test
    void pauseStallsTheOriginsSendAndResumeFinishesTheArchive() throws Exception {
        TestOrigin.File file = slowFile("paused.bin", 24 * MIB);
        String jobId = archives().start(UrlArchives.entries(origin.url("paused.bin")));
        awaitServed(file, 4L * MIB);

        assertThat(archives().api().post("/api/v1/jobs/" + jobId + "/pause").status()).isEqualTo(202);
        long stalled = awaitStalled(file);

        assertThat(stalled).as("bytes served while paused").isLessThan(24L * MIB);
        // Paused for three times the response timeout (2 s here): the transfer keeps its one connection,
        // where an origin that stalls as long while the job runs is cut off and resumed
        // (originStallingPastTheTimeoutIsResumed, the positive control).
        long pausedUntil = System.nanoTime() + Duration.ofSeconds(6).toNanos();
        while (System.nanoTime() < pausedUntil) {
            assertThat(archives().api().job(jobId).get("state").asText()).isEqualTo("PAUSED");
            assertThat(file.served.get()).as("bytes served while paused").isEqualTo(stalled);
            Thread.sleep(200);
        }
        assertThat(archives().api().post("/api/v1/jobs/" + jobId + "/resume").status()).isEqualTo(202);
        awaitServed(file, stalled + MIB);
        archives().await(jobId, "SUCCEEDED");
        archives().assertArchive(jobId, Map.of("paused.bin", file.sha256()));
        assertThat(file.requests.get()).as("one request: the paused connection was kept, not timed out").isEqualTo(1);
        assertThat(file.served.get()).as("fetched once").isEqualTo(24L * MIB);
    }

    @Test
    void runningJobShowsTheFilesDoneSoFarAndTheBytesAgainstTheAnnouncedLengths() throws Exception {
        TestOrigin.File file = slowFile("counted-slow.bin", 24 * MIB);
        origin.file("counted-small.bin", 1000);
        String jobId = archives().start(UrlArchives.entries(origin.url("counted-small.bin"), origin.url("counted-slow.bin")));

        JsonNode running = archives().api().awaitJob(jobId, Duration.ofSeconds(20),
                job -> job.get("result").has("files") && job.get("result").get("files").asInt() == 1);

        assertThat(running.get("state").asText()).isEqualTo("RUNNING");
        assertThat(running.get("result").get("entries").asInt()).isEqualTo(2);
        assertThat(running.get("progress").get("unit").asText()).isEqualTo("bytes");
        assertThat(running.get("progress").get("total").asLong()).isEqualTo(1000L + 24 * MIB);
        assertThat(running.get("progress").get("done").asLong()).isLessThan(1000L + 24 * MIB);
        awaitServed(file, 24L * MIB);
        JsonNode done = archives().await(jobId, "SUCCEEDED");
        assertThat(done.get("result").get("files").asInt()).isEqualTo(2);
        assertThat(done.get("progress").get("done").asLong()).isEqualTo(1000L + 24 * MIB);
    }

    @Test
    void jobCancelledAfterItsInstanceWasLostHasItsFilesRemovedByTheSweeper() throws Exception {
        UUID jobId = UUID.randomUUID();
        Path folder = folderOf(jobId.toString());
        Files.createDirectories(folder);
        Files.write(folder.resolve("0.data"), new byte[1000]);
        try (Connection db = DriverManager.getConnection(r2dbcUrl.replaceFirst("^r2dbc:", "jdbc:"), "postgres", "postgres");
             PreparedStatement insert = db.prepareStatement("INSERT INTO jobs (id, type, created_by, state, params, "
                     + "progress_unit, owner, lease_until, finished_at) VALUES (?, 'url-archive', ?, 'CANCELLED', "
                     + "'{\"urls\": []}', 'bytes', 'a-lost-instance', now() - interval '1 minute', now())")) {
            insert.setObject(1, jobId);
            insert.setString(2, CALLER);
            insert.executeUpdate();
        }

        UrlArchiveJobTest.awaitGone(folder);
        assertThat(archives().api().job(jobId.toString()).get("state").asText()).isEqualTo("CANCELLED");
    }

    @Test
    void cancelStopsTheTransferAndLeavesNoFileOfTheJob() throws Exception {
        TestOrigin.File file = slowFile("cancelled.bin", 24 * MIB);
        TestOrigin.File small = origin.file("cancelled-small.bin", 1000);
        String jobId = archives().start(UrlArchives.entries(origin.url("cancelled-small.bin"), origin.url("cancelled.bin")));
        awaitServed(file, 2L * MIB);
        awaitServed(small, 1000);
        awaitFileOf(folderOf(jobId).resolve("0.data"), 1000);

        assertThat(archives().api().post("/api/v1/jobs/" + jobId + "/cancel").status()).isEqualTo(202);

        archives().await(jobId, "CANCELLED");
        UrlArchiveJobTest.awaitGone(folderOf(jobId));
        assertThat(awaitStalled(file)).isLessThan(24L * MIB);
        assertThat(archives().download(jobId).statusCode()).isEqualTo(409);
    }

    @Test
    void downloadAnswersRangesHeadAndETagAndRepeatsByteForByte() throws Exception {
        origin.file("one.bin", 300_000);
        origin.file("two.bin", 2 * MIB);
        String jobId = archives().succeed(UrlArchives.entries(origin.url("one.bin"), origin.url("two.bin")))
                .get("id").asText();

        HttpResponse<byte[]> whole = archives().download(jobId);
        HttpResponse<byte[]> again = archives().download(jobId);
        String etag = whole.headers().firstValue("ETag").orElseThrow();
        HttpResponse<byte[]> range = archives().download(jobId, "Range", "bytes=1000-299999");
        HttpResponse<byte[]> ifRange = archives().download(jobId, "Range", "bytes=5-9", "If-Range", etag);
        HttpResponse<byte[]> staleIfRange = archives().download(jobId, "Range", "bytes=5-9", "If-Range", "\"other\"");
        HttpResponse<byte[]> pastTheEnd = archives().download(jobId, "Range", "bytes=" + whole.body().length + "-");

        assertThat(whole.statusCode()).isEqualTo(200);
        assertThat(whole.headers().firstValue("Accept-Ranges")).hasValue("bytes");
        assertThat(again.body()).isEqualTo(whole.body());
        assertThat(again.headers().firstValue("ETag")).hasValue(etag);
        assertThat(range.statusCode()).isEqualTo(206);
        assertThat(range.headers().firstValue("Content-Range")).hasValue("bytes 1000-299999/" + whole.body().length);
        assertThat(range.body()).isEqualTo(Arrays.copyOfRange(whole.body(), 1000, 300_000));
        assertThat(ifRange.statusCode()).isEqualTo(206);
        assertThat(ifRange.body()).isEqualTo(Arrays.copyOfRange(whole.body(), 5, 10));
        assertThat(staleIfRange.statusCode()).isEqualTo(200);
        assertThat(staleIfRange.body()).isEqualTo(whole.body());
        assertThat(pastTheEnd.statusCode()).isEqualTo(416);
        HttpResponse<byte[]> head = archives().head(jobId);
        assertThat(head.statusCode()).isEqualTo(200);
        assertThat(head.headers().firstValueAsLong("Content-Length")).hasValue(whole.body().length);
        assertThat(head.headers().firstValue("ETag")).hasValue(etag);
        assertThat(head.body()).isEmpty();
    }

    @Test
    void downloadBeforeSuccessIsAConflict() throws Exception {
        slowFile("early.bin", 24 * MIB);
        String jobId = archives().start(UrlArchives.entries(origin.url("early.bin")));

        JobsClient.Answer early = archives().api().get("/api/v1/archives/" + jobId + "/download");

        assertThat(early.status()).isEqualTo(409);
        assertThat(early.contentType()).isEqualTo("application/problem+json");
        assertThat(archives().api().post("/api/v1/jobs/" + jobId + "/cancel").status()).isEqualTo(202);
        archives().await(jobId, "CANCELLED");
    }

    @Test
    void downloadOfAnUnknownIdOrAnotherJobTypeIsNotFound() throws Exception {
        String exportId = archives().api().post("/api/v1/exports").body().get("id").asText();
        for (String id : new String[] {UUID.randomUUID().toString(), "not-a-uuid", exportId}) {
            JobsClient.Answer answer = archives().api().get("/api/v1/archives/" + id + "/download");

            assertThat(answer.status()).as("download of %s", id).isEqualTo(404);
            assertThat(answer.contentType()).isEqualTo("application/problem+json");
        }
    }

    @Test
    void downloadWhoseFilesAreGoneIsGone() throws Exception {
        origin.file("removed.bin", 1000);
        String jobId = archives().succeed(UrlArchives.entries(origin.url("removed.bin"))).get("id").asText();
        UrlArchives.deleteTree(folderOf(jobId));

        JobsClient.Answer answer = archives().api().get("/api/v1/archives/" + jobId + "/download");

        assertThat(answer.status()).isEqualTo(410);
        assertThat(answer.contentType()).isEqualTo("application/problem+json");
    }

    static void awaitServed(TestOrigin.File file, long bytes) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (file.served.get() < bytes) {
            assertThat(System.nanoTime()).as("origin served %d bytes (now %d)", bytes, file.served.get()).isLessThan(deadline);
            Thread.sleep(20);
        }
    }

    private static void awaitFileOf(Path file, long size) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!Files.exists(file) || Files.size(file) != size) {
            assertThat(System.nanoTime()).as("%s has %d bytes", file, size).isLessThan(deadline);
            Thread.sleep(20);
        }
    }

    /** Waits until the origin has sent nothing for a second; answers the bytes served by then. */
    static long awaitStalled(TestOrigin.File file) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        AtomicLong last = new AtomicLong(file.served.get());
        long since = System.nanoTime();
        while (System.nanoTime() - since < Duration.ofSeconds(1).toNanos()) {
            assertThat(System.nanoTime()).as("origin's send stalled (served %d)", file.served.get()).isLessThan(deadline);
            Thread.sleep(50);
            long now = file.served.get();
            if (now != last.getAndSet(now)) {
                since = System.nanoTime();
            }
        }
        return last.get();
    }
}
