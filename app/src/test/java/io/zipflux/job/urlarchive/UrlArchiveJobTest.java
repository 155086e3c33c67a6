package io.zipflux.job.urlarchive;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;


import static org.assertj.core.api.Assertions.assertThat;

/**
 * url-archive jobs end to end (real broker, database and HTTP origin on 127.0.0.1, which the address
 * policy allows by {@code allowed-addresses}): every fault of an origin still ends with the right
 * zip, checked by two independent readers against the origin's SHA-256s.
 */
class UrlArchiveJobTest extends OriginTests {

    @Test
    void entriesAreNamedAsGivenElseByContentDispositionElseByUrlAndMadeUnique() throws Exception {
        TestOrigin.File given = origin.file("given.bin", 70_000);
        TestOrigin.File disposed = origin.file("disposed.bin", 1000);
        disposed.disposition = "attachment; filename=\"report.pdf\"";
        TestOrigin.File plain = origin.file("photo.jpg", 5000);
        TestOrigin.File empty = origin.file("empty.txt", 0);
        TestOrigin.File evil = origin.file("evil.bin", 10);
        evil.disposition = "attachment; filename=\"../../evil.sh\"";
        String json = "{\"entries\": ["
                + "{\"url\": \"" + origin.url("given.bin") + "\", \"name\": \"photo.jpg\"},"
                + "{\"url\": \"" + origin.url("disposed.bin") + "\"},"
                + "{\"url\": \"" + origin.url("photo.jpg") + "\"},"
                + "{\"url\": \"" + origin.url("photo.jpg") + "?again\"},"
                + "{\"url\": \"" + origin.url("empty.txt") + "\"},"
                + "{\"url\": \"" + origin.url("evil.bin") + "\"}], \"name\": \"holiday\"}";

        JsonNode job = archives().succeed(json);

        assertThat(job.get("result").get("files").asInt()).isEqualTo(6);
        assertThat(job.get("result").get("bytes").asLong()).isEqualTo(70_000 + 1000 + 5000 + 5000 + 10);
        assertThat(job.get("result").get("skipped")).isEmpty();
        assertThat(job.get("progress").get("done").asLong()).isEqualTo(81_010);
        assertThat(job.get("progress").get("total").asLong()).isEqualTo(81_010);
        assertThat(job.get("progress").get("unit").asText()).isEqualTo("bytes");
        archives().assertArchive(job.get("id").asText(), Map.of(
                "photo.jpg", given.sha256(),
                "report.pdf", disposed.sha256(),
                "photo (1).jpg", plain.sha256(),
                "photo (2).jpg", plain.sha256(),
                "empty.txt", empty.sha256(),
                ".._.._evil.sh", evil.sha256()));
        assertThat(archives().download(job.get("id").asText()).headers().firstValue("Content-Disposition"))
                .hasValueSatisfying(value -> assertThat(value).contains("holiday.zip"));
    }

    @Test
    void resetAtSixtyPercentResumesWithRangeAndServesUnderOneAndAHalfTimesTheFile() throws Exception {
        TestOrigin.File file = origin.file("reset.bin", 10 * MIB).resetOnceAt(6L * MIB);

        JsonNode job = archives().succeed(UrlArchives.entries(origin.url("reset.bin")));

        archives().assertArchive(job.get("id").asText(), Map.of("reset.bin", file.sha256()));
        assertThat(file.requests.get()).isEqualTo(2);
        assertThat(file.ranges.get(1)).startsWith("bytes=").isNotEqualTo("bytes=0-");
        assertThat(file.served.get()).isLessThan(15L * MIB).isGreaterThanOrEqualTo(10L * MIB);
    }

    @Test
    void originThatAlwaysBreaksAndIgnoresRangeFailsTheEntryAfterTheRetries() throws Exception {
        TestOrigin.File file = origin.file("hopeless.bin", 2 * MIB).resetOnceAt(MIB);
        file.resets.set(Integer.MAX_VALUE);
        file.ignoreRange = true;

        JsonNode job = archives().succeed("{\"onError\": \"skip\", \"urls\": [\"" + origin.url("hopeless.bin") + "\"]}");

        assertThat(job.get("result").get("skipped").get(0).get("error").asText()).contains("5 attempts in a row");
        assertThat(file.requests.get()).as("the first attempt, then retries=4 more that gained nothing").isEqualTo(6);
    }

    @Test
    void unavailableOrThrottlingOriginIsRetriedAfterItsRetryAfter() throws Exception {
        TestOrigin.File unavailable = origin.file("busy.bin", 50_000);
        unavailable.unavailable.set(2);
        TestOrigin.File throttling = origin.file("throttled.bin", 60_000);
        throttling.unavailable.set(2);
        throttling.busyStatus = 429;

        JsonNode job = archives().succeed(UrlArchives.entries(origin.url("busy.bin"), origin.url("throttled.bin")));

        archives().assertArchive(job.get("id").asText(), Map.of("busy.bin", unavailable.sha256(),
                "throttled.bin", throttling.sha256()));
        for (TestOrigin.File file : new TestOrigin.File[] {unavailable, throttling}) {
            assertThat(file.requests.get()).isEqualTo(3);
            for (int i = 1; i < 3; i++) {
                assertThat(Duration.ofNanos(file.requestTimes.get(i) - file.requestTimes.get(i - 1)))
                        .as("wait before attempt %d (Retry-After: 1)", i + 1).isGreaterThanOrEqualTo(Duration.ofMillis(950));
            }
        }
    }

    @Test
    void entryThatWouldPassMaxTotalSizeIsSkippedAndTheOtherKept() throws Exception {
        TestOrigin.File first = origin.file("half-a.bin", 25 * MIB);
        TestOrigin.File second = origin.file("half-b.bin", 25 * MIB);

        JsonNode job = archives().succeed("{\"onError\": \"skip\", \"urls\": [\"" + origin.url("half-a.bin") + "\", \""
                + origin.url("half-b.bin") + "\"]}");

        JsonNode skipped = job.get("result").get("skipped");
        assertThat(skipped).hasSize(1);
        assertThat(skipped.get(0).get("error").asText()).contains("max-total-size");
        String kept = skipped.get(0).get("url").asText().equals(origin.url("half-a.bin")) ? "half-b.bin" : "half-a.bin";
        archives().assertArchive(job.get("id").asText(),
                Map.of(kept, (kept.equals("half-a.bin") ? first : second).sha256()));
        assertThat(job.get("result").get("bytes").asLong()).isEqualTo(25L * MIB);
    }

    @Test
    void originIgnoringRangeIsFetchedAgainFromZero() throws Exception {
        TestOrigin.File file = origin.file("norange.bin", 4 * MIB).resetOnceAt(3L * MIB);
        file.ignoreRange = true;

        JsonNode job = archives().succeed(UrlArchives.entries(origin.url("norange.bin")));

        archives().assertArchive(job.get("id").asText(), Map.of("norange.bin", file.sha256()));
        assertThat(file.requests.get()).isEqualTo(2);
        assertThat(file.served.get()).isEqualTo(7L * MIB);
    }

    @Test
    void originWhoseEtagChangedIsFetchedAgainFromZero() throws Exception {
        TestOrigin.File file = origin.file("changed.bin", 4 * MIB).resetOnceAt(3L * MIB);
        file.changingEtag = true;

        JsonNode job = archives().succeed(UrlArchives.entries(origin.url("changed.bin")));

        archives().assertArchive(job.get("id").asText(), Map.of("changed.bin", file.sha256()));
        assertThat(file.ranges.get(1)).as("the second request resumes").startsWith("bytes=");
        assertThat(file.served.get()).as("If-Range did not match: sent whole again").isEqualTo(7L * MIB);
    }

    @Test
    void originStallingPastTheTimeoutIsResumed() throws Exception {
        TestOrigin.File file = origin.file("stall.bin", 3 * MIB);
        file.stallAt = MIB;
        file.stall = Duration.ofSeconds(4);

        JsonNode job = archives().succeed(UrlArchives.entries(origin.url("stall.bin")));

        archives().assertArchive(job.get("id").asText(), Map.of("stall.bin", file.sha256()));
        assertThat(file.requests.get()).isEqualTo(2);
        assertThat(file.ranges.get(1)).startsWith("bytes=");
    }

    @Test
    void redirectIsFollowed() throws Exception {
        TestOrigin.File target = origin.file("target.bin", 20_000);
        origin.file("moved.bin", 1).redirectTo = origin.url("target.bin");

        JsonNode job = archives().succeed(
                "{\"entries\": [{\"url\": \"" + origin.url("moved.bin") + "\", \"name\": \"moved.bin\"}]}");

        archives().assertArchive(job.get("id").asText(), Map.of("moved.bin", target.sha256()));
    }

    @Test
    void bytesBeyondTheAnnouncedLengthAreCutOff() throws Exception {
        TestOrigin.File file = origin.file("long.bin", 300_000);
        file.extraBytes = 5000;

        JsonNode job = archives().succeed(UrlArchives.entries(origin.url("long.bin")));

        archives().assertArchive(job.get("id").asText(), Map.of("long.bin", file.sha256()));
        assertThat(job.get("result").get("bytes").asLong()).isEqualTo(300_000);
    }

    @Test
    void entriesOverMaxFileSizeAreSkippedAndCutOffAtTheLimit() throws Exception {
        TestOrigin.File small = origin.file("small.bin", 10_000);
        origin.file("announced-big.bin", 31 * MIB);
        origin.file("chunked-big.bin", 31 * MIB).chunked = true;
        String json = "{\"onError\": \"skip\", \"urls\": [\"" + origin.url("small.bin") + "\", \""
                + origin.url("announced-big.bin") + "\", \"" + origin.url("chunked-big.bin") + "\"]}";

        JsonNode job = archives().succeed(json);

        JsonNode skipped = job.get("result").get("skipped");
        assertThat(skipped).hasSize(2);
        assertThat(skipped.get(0).get("url").asText()).isEqualTo(origin.url("announced-big.bin"));
        assertThat(skipped.get(0).get("error").asText()).contains("max-file-size");
        assertThat(skipped.get(1).get("url").asText()).isEqualTo(origin.url("chunked-big.bin"));
        assertThat(skipped.get(1).get("error").asText()).contains("max-file-size");
        archives().assertArchive(job.get("id").asText(), Map.of("small.bin", small.sha256()));
        try (var files = Files.list(folderOf(job.get("id").asText()))) {
            assertThat(files.filter(path -> path.toString().endsWith(".data")).map(Path::getFileName).map(Path::toString))
                    .containsExactly("0.data");
        }
    }

    @Test
    void failedEntryFailsTheJobNamingItAndRemovesItsFiles() throws Exception {
        origin.file("fine.bin", 100_000);
        origin.file("missing.bin", 1).status = 404;

        String jobId = archives().start(UrlArchives.entries(origin.url("fine.bin"), origin.url("missing.bin")));
        JsonNode job = archives().await(jobId, "FAILED");

        assertThat(job.get("error").asText()).contains("entries[1]").contains(origin.url("missing.bin")).contains("404");
        awaitGone(folderOf(jobId));
        assertThat(archives().download(jobId).statusCode()).isEqualTo(409);
    }

    @Test
    void notFoundIsNotRetried() throws Exception {
        TestOrigin.File missing = origin.file("gone.bin", 1);
        missing.status = 404;

        JsonNode job = archives().succeed("{\"onError\": \"skip\", \"urls\": [\"" + origin.url("gone.bin") + "\"]}");

        assertThat(job.get("result").get("skipped").get(0).get("error").asText()).contains("HTTP 404");
        assertThat(missing.requests.get()).isEqualTo(1);
    }

    @Test
    void redirectToARefusedAddressFailsThatEntryWithoutConnectingToIt() throws Exception {
        try (ServerSocket refused = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.2"))) {
            AtomicInteger accepts = countAccepts(refused);
            try (Socket probe = new Socket(refused.getInetAddress(), refused.getLocalPort())) {
                awaitAccepts(accepts, 1);
            }
            TestOrigin.File fine = origin.file("fine.txt", 10_000);
            origin.file("to-refused.bin", 1).redirectTo = "http://127.0.0.2:" + refused.getLocalPort() + "/secret";

            JsonNode job = archives().succeed("{\"onError\": \"skip\", \"urls\": [\"" + origin.url("fine.txt") + "\", \""
                    + origin.url("to-refused.bin") + "\"]}");

            JsonNode skipped = job.get("result").get("skipped");
            assertThat(skipped).hasSize(1);
            assertThat(skipped.get(0).get("url").asText()).isEqualTo(origin.url("to-refused.bin"));
            assertThat(skipped.get(0).get("error").asText()).contains("127.0.0.2");
            assertThat(accepts.get()).as("connections to 127.0.0.2: only the test's own probe").isEqualTo(1);
            archives().assertArchive(job.get("id").asText(), Map.of("fine.txt", fine.sha256()));
        }
    }

    /** Counts the connections a listener accepts (and closes them at once). */
    static AtomicInteger countAccepts(ServerSocket listener) {
        AtomicInteger accepts = new AtomicInteger();
        Thread acceptor = new Thread(() -> {
            while (!listener.isClosed()) {
                try (Socket accepted = listener.accept()) {
                    accepts.incrementAndGet();
                }
                catch (IOException closed) {
                    return;
                }
            }
        }, "refused-listener");
        acceptor.setDaemon(true);
        acceptor.start();
        return accepts;
    }

    private static void awaitAccepts(AtomicInteger accepts, int count) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (accepts.get() < count) {
            assertThat(System.nanoTime()).as("listener accepted %d", count).isLessThan(deadline);
            Thread.sleep(10);
        }
    }

    static void awaitGone(Path path) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (Files.exists(path)) {
            assertThat(System.nanoTime()).as("%s removed", path).isLessThan(deadline);
            Thread.sleep(50);
        }
    }
}
