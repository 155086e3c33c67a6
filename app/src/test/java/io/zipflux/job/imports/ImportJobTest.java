package io.zipflux.job.imports;

import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.core.env.Environment;

import io.zipflux.job.JobsClient;
import io.zipflux.job.JobsClient.Answer;
import io.zipflux.job.RawUpload;
import io.zipflux.job.ResponsesTable;
import io.zipflux.job.ResponsesTable.Response;
import io.zipflux.security.TestKeys;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * CSV imports against a real PostgreSQL: all rows or none, whatever happens to the upload, errors
 * that name the line, and pause holding the client's upload back. Each test uses form ids of its own.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT, properties = {
        "zipflux.data-dir=${java.io.tmpdir}/zipflux-test-data-import",
        "zipflux.archive.photos-dir=${java.io.tmpdir}/zipflux-test-photos",
        "zipflux.jobs.pause-timeout=6s",
        "zipflux.jobs.database-streams=2",
})
class ImportJobTest {

    private static ResponsesTable table;

    @LocalServerPort
    private int port;

    @Autowired
    private Environment environment;

    /** This test's own client key. */
    private String key;

    @BeforeEach
    void clientKey() {
        key = TestKeys.client(environment, "imports");
    }

    @Value("${spring.r2dbc.url}")
    private String r2dbcUrl;

    @BeforeEach
    void table() throws Exception {
        if (table == null) {
            table = new ResponsesTable(r2dbcUrl);
        }
    }

    @AfterAll
    static void close() throws Exception {
        table.close();
    }

    private JobsClient api() {
        return new JobsClient(port, key);
    }

    @Test
    void exportThenImportKeepsQuotingLineBreaksAndNonAsciiText() throws Exception {
        List<Response> tricky = List.of(
                new Response("roundtrip", "Smith, \"Jo\"", OffsetDateTime.parse("2035-05-05T10:00:00.123456Z"),
                        "{\"comment\": \"a, \\\"quoted\\\"\\nsecond line\"}"),
                new Response("roundtrip", "two\nlines\r\nand CRLF", OffsetDateTime.parse("2035-05-05T11:00:00Z"), "{}"),
                new Response("roundtrip", "Zoë Ångström — 李雷 🎉", OffsetDateTime.parse("2035-05-05T12:00:00Z"),
                        "{\"emoji\": \"🎉\", \"list\": [\"a,b\", \"\\\"\"]}"),
                new Response("roundtrip", "", OffsetDateTime.parse("2035-05-05T13:00:00Z"), "\"a string, with a comma\""),
                new Response("roundtrip", " spaces ", OffsetDateTime.parse("2035-05-05T14:00:00Z"), "[1, 2.5, null, true]"));
        table.insert(tricky);
        List<List<String>> before = table.rows("roundtrip");
        byte[] csv = api().bytes("/api/v1/responses.csv?from=2035-05-05&to=2035-05-05").body();
        table.execute("DELETE FROM responses WHERE form_id = 'roundtrip'");

        Answer imported = api().send("POST", "/api/v1/imports", "text/csv", HttpRequest.BodyPublishers.ofByteArray(csv));

        assertThat(imported.status()).as("%s", imported.body()).isEqualTo(200);
        assertThat(imported.body().get("state").asText()).isEqualTo("SUCCEEDED");
        assertThat(imported.body().get("result").get("rows").asLong()).isEqualTo(5);
        assertThat(table.rows("roundtrip")).isEqualTo(before);
        assertThat(api().bytes("/api/v1/responses.csv?from=2035-05-05&to=2035-05-05").body()).isEqualTo(csv);
    }

    @Test
    void readmeFlowImportsAnExportBackIntoTheSameDatabase() throws Exception {
        table.insert(List.of(
                new Response("readme", "O'Brien, Seán", OffsetDateTime.parse("2036-02-02T10:00:00Z"), "{\"rating\": 5}"),
                new Response("readme", "Zoë \"Z\"", OffsetDateTime.parse("2036-02-03T11:00:00Z"), "{\"comment\": \"a,\\nb\"}")));
        List<List<String>> before = table.rows("readme");
        long rows = table.count();
        byte[] csv = api().bytes("/api/v1/responses.csv?from=2036-02-01&to=2036-02-28").body();

        Answer imported = api().send("POST", "/api/v1/imports", "text/csv", HttpRequest.BodyPublishers.ofByteArray(csv));

        assertThat(imported.status()).as("%s", imported.body()).isEqualTo(200);
        assertThat(imported.body().get("result").get("rows").asLong()).isEqualTo(2);
        assertThat(table.rows("readme")).as("the same rows, ids included").isEqualTo(before);
        assertThat(table.count()).isEqualTo(rows);
    }

    @Test
    void upsertWritesOverRowsWithTheSameIdAndNewGivesNewIds() throws Exception {
        long id = table.nextId() + 1_000;
        String csv = "id,form_id,respondent,submitted_at,answers\r\n" + id + ",id-modes,first,2036-03-03T00:00:00Z,{}\r\n";
        String changed = "id,form_id,respondent,submitted_at,answers\r\n" + id + ",id-modes,changed,2036-03-03T00:00:00Z,{}\r\n";
        assertThat(api().send("POST", "/api/v1/imports", "text/csv", HttpRequest.BodyPublishers.ofString(csv)).status()).isEqualTo(200);

        assertThat(api().send("POST", "/api/v1/imports?ids=upsert", "text/csv", HttpRequest.BodyPublishers.ofString(changed))
                .status()).isEqualTo(200);
        assertThat(table.rows("id-modes")).extracting(row -> row.get(0) + " " + row.get(2)).containsExactly(id + " changed");

        assertThat(api().send("POST", "/api/v1/imports?ids=new", "text/csv", HttpRequest.BodyPublishers.ofString(csv)).status())
                .isEqualTo(200);
        assertThat(table.rows("id-modes")).extracting(row -> row.get(2)).containsExactly("changed", "first");
        assertThat(table.rows("id-modes").get(1).get(0)).isNotEqualTo(String.valueOf(id));

        Answer kept = api().send("POST", "/api/v1/imports?ids=keep", "text/csv", HttpRequest.BodyPublishers.ofString(csv));
        assertThat(kept.status()).isEqualTo(422);
        assertThat(kept.body().get("error").asText()).contains("line 2").contains("duplicate key");
        Answer unknown = api().send("POST", "/api/v1/imports?ids=replace", "text/csv", HttpRequest.BodyPublishers.ofString(csv));
        assertThat(unknown.status()).isEqualTo(400);
        assertThat(unknown.contentType()).isEqualTo("application/problem+json");
        assertThat(unknown.body().get("detail").asText()).contains("upsert", "keep", "new");
    }

    @Test
    void importWithIdsAheadOfTheSequenceLeavesNewIdsClearOfThem() throws Exception {
        long next = table.nextId() + 1;
        StringBuilder restore = new StringBuilder("id,form_id,respondent,submitted_at,answers\r\n");
        for (long id = next; id < next + 3; id++) {
            restore.append(id).append(",restored,r,2036-04-04T00:00:00Z,{}\r\n");
        }
        Answer restored = api().send("POST", "/api/v1/imports?ids=keep", "text/csv",
                HttpRequest.BodyPublishers.ofString(restore.toString()));
        assertThat(restored.status()).as("%s", restored.body()).isEqualTo(200);

        Answer added = api().send("POST", "/api/v1/imports", "text/csv", HttpRequest.BodyPublishers.ofString(
                "form_id,respondent,submitted_at,answers\r\nadded,a,2036-04-04T00:00:00Z,{}\r\nadded,b,2036-04-04T00:00:00Z,{}\r\n"));

        assertThat(added.status()).as("%s", added.body()).isEqualTo(200);
        assertThat(table.count("added")).isEqualTo(2);
        assertThat(table.nextId()).isGreaterThan(next + 2);
    }

    @Test
    void timeOutsideTheExportableYearsIsRefusedNamingItsLine() throws Exception {
        for (String ids : List.of("keep", "upsert")) {
            for (String time : List.of("infinity", "-infinity", "0044-03-15 12:00:00+00 BC", "10000-01-01T00:00:00Z",
                    "0001-01-01T00:00:00+01")) {
                String csv = ResponsesTable.csv("far-" + ids, 2, 70) + (9_000_080 + time.length()) + ",far-" + ids + ",r,"
                        + time + ",{}\r\n";
                Answer refused = api().send("POST", "/api/v1/imports?ids=" + ids, "text/csv",
                        HttpRequest.BodyPublishers.ofString(csv));
                assertThat(refused.status()).as("%s %s", ids, time).isEqualTo(422);
                assertThat(refused.body().get("error").asText()).as(time)
                        .startsWith("line 4, column submitted_at:").contains("years 1 to 9999");
            }
            assertThat(table.count("far-" + ids)).isZero();
        }
        String edges = "form_id,respondent,submitted_at,answers\r\nfar-edges,a,0001-01-01T00:00:00Z,{}\r\n"
                + "far-edges,b,9999-12-31T23:59:59.999999Z,{}\r\n";
        assertThat(api().send("POST", "/api/v1/imports", "text/csv", HttpRequest.BodyPublishers.ofString(edges)).status())
                .isEqualTo(200);
    }

    @Test
    void fieldLongerThanTheMaxFieldSizeFailsNamingItsLine() throws Exception {
        int max = 1024 * 1024;
        String fits = "\"" + "x\"\"".repeat((max - 2) / 3) + "\"";
        String tooLong = "y".repeat(max + 1);
        String csv = "form_id,respondent,submitted_at,answers\r\nlong-field," + fits + ",2037-01-01T00:00:00Z,{}\r\n";

        Answer fitting = api().send("POST", "/api/v1/imports", "text/csv", HttpRequest.BodyPublishers.ofString(csv));
        Answer refused = api().send("POST", "/api/v1/imports", "text/csv", HttpRequest.BodyPublishers.ofString(
                csv + "long-field,r,2037-01-01T00:00:00Z,\"{\"\"a\"\": 1}\"\r\nlong-field," + tooLong + ",2037-01-01T00:00:00Z,{}\r\n"));

        assertThat(fitting.status()).as("a field of %s bytes", fits.length()).isEqualTo(200);
        assertThat(refused.status()).isEqualTo(422);
        assertThat(refused.body().get("error").asText())
                .isEqualTo("line 4: field 2 is longer than 1048576 bytes (zipflux.imports.max-field-size)");
        assertThat(table.count("long-field")).isEqualTo(1);
    }

    @Test
    void createdImportWaitsForItsDataThenTakesItOnce() throws Exception {
        Answer created = api().post("/api/v1/imports");
        assertThat(created.status()).isEqualTo(201);
        assertThat(created.body().get("type").asText()).isEqualTo("import");
        assertThat(created.body().get("state").asText()).isEqualTo("QUEUED");
        String id = created.body().get("id").asText();

        Answer uploaded = api().send("PUT", "/api/v1/imports/" + id, "text/csv", csv("two-step", 3, 0));
        assertThat(uploaded.status()).isEqualTo(200);
        assertThat(uploaded.body().get("progress").get("done").asLong()).isEqualTo(3);
        assertThat(table.count("two-step")).isEqualTo(3);

        Answer again = api().send("PUT", "/api/v1/imports/" + id, "text/csv", csv("two-step", 3, 0));
        assertThat(again.status()).isEqualTo(409);
        assertThat(again.contentType()).isEqualTo("application/problem+json");
        assertThat(table.count("two-step")).isEqualTo(3);
    }

    @Test
    void multipartFileFieldIsImported() {
        String boundary = "zipflux-" + UUID.randomUUID();
        String body = "--" + boundary + "\r\nContent-Disposition: form-data; name=\"note\"\r\n\r\nignored\r\n"
                + "--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"r.csv\"\r\n"
                + "Content-Type: text/csv\r\n\r\n" + ResponsesTable.csv("multipart", 4, 10) + "\r\n--" + boundary + "--\r\n";

        Answer imported = api().send("POST", "/api/v1/imports", "multipart/form-data; boundary=" + boundary,
                HttpRequest.BodyPublishers.ofString(body));

        assertThat(imported.status()).as("%s", imported.body()).isEqualTo(200);
        assertThat(imported.body().get("result").get("rows").asLong()).isEqualTo(4);
    }

    @Test
    void importWithoutIdsGetsNewIds() throws Exception {
        String csv = "form_id,respondent,submitted_at,answers\n"
                + "no-ids,a,2030-01-01T00:00:00Z,{}\n"
                + "no-ids,b,2030-01-01 01:00:00+02,\"{\"\"x\"\": 1}\"\n";
        Answer imported = api().send("POST", "/api/v1/imports", "text/csv", HttpRequest.BodyPublishers.ofString(csv));
        assertThat(imported.status()).as("%s", imported.body()).isEqualTo(200);
        assertThat(table.count("no-ids")).isEqualTo(2);
    }

    @Test
    void badRowFailsTheImportNamingItsLineAndWritesNothing() throws Exception {
        Map<String, String> cases = Map.of(
                "line 5, column submitted_at", ResponsesTable.csv("bad-time", 3, 20) + "9800001,bad-time,r,not a time,{}\r\n"
                        + "9800002,bad-time,r,2030-01-01T00:00:00Z,{}\r\n",
                "line 4, column answers", ResponsesTable.csv("bad-json", 2, 30) + "9800003,bad-json,r,2030-01-01T00:00:00Z,{nope\r\n",
                "line 3 has 4 fields", ResponsesTable.csv("bad-count", 1, 40) + "9800004,bad-count,r,2030-01-01T00:00:00Z\r\n",
                "line 3: a quoted field is not closed", ResponsesTable.csv("bad-quote", 1, 50) + "9800005,bad-quote,\"r,2030,{}\r\n",
                "line 1: unknown column 'mail'", "id,form_id,mail,submitted_at,answers\r\n1,x,y,2030-01-01,{}\r\n",
                "line 1: the header lacks answers", "form_id,respondent,submitted_at\r\nx,y,2030-01-01\r\n",
                "the data is empty", "",
                "duplicate key", ResponsesTable.csv("dup", 2, 60) + "9000061,dup,r,2030-01-01T00:00:00Z,{}\r\n");
        long rows = table.count();
        for (Map.Entry<String, String> bad : cases.entrySet()) {
            Answer failed = api().send("POST", "/api/v1/imports?ids=keep", "text/csv",
                    HttpRequest.BodyPublishers.ofString(bad.getValue()));
            assertThat(failed.status()).as(bad.getKey()).isEqualTo(422);
            assertThat(failed.body().get("state").asText()).isEqualTo("FAILED");
            assertThat(failed.body().get("error").asText()).as(bad.getKey()).contains(bad.getKey());
        }
        assertThat(table.count()).as("rows written by failed imports").isEqualTo(rows);
    }

    @Test
    void importsAndDirectCsvBeyondTheDatabaseStreamsWaitTheirTurn() throws Exception {
        String first = api().post("/api/v1/imports").body().get("id").asText();
        String second = api().post("/api/v1/imports").body().get("id").asText();
        String third = api().post("/api/v1/imports").body().get("id").asText();
        try (RawUpload one = upload(first, ResponsesTable.csv("streams-1", 50_000, 1_000_000), 1 << 20);
             RawUpload two = upload(second, ResponsesTable.csv("streams-2", 50_000, 1_100_000), 1 << 20)) {
            api().awaitJob(first, Duration.ofSeconds(30), JobsClient.progressAtLeast(1000));
            api().awaitJob(second, Duration.ofSeconds(30), JobsClient.progressAtLeast(1000));

            for (Answer busy : List.of(api().send("PUT", "/api/v1/imports/" + third, "text/csv", csv("streams-3", 1, 1_200_000)),
                    api().get("/api/v1/responses.csv"))) {
                assertThat(busy.status()).isEqualTo(503);
                assertThat(busy.contentType()).isEqualTo("application/problem+json");
                assertThat(busy.body().get("detail").asText()).contains("zipflux.jobs.database-streams");
            }
            assertThat(api().job(third).get("state").asText()).as("a refused upload leaves its job waiting").isEqualTo("QUEUED");

            api().post("/api/v1/jobs/" + first + "/cancel");
            assertThat(one.answer().get(10, TimeUnit.SECONDS).status()).isEqualTo(409);
            assertThat(api().send("PUT", "/api/v1/imports/" + third, "text/csv", csv("streams-3", 1, 1_200_000)).status())
                    .isEqualTo(200);
            api().post("/api/v1/jobs/" + second + "/cancel");
        }
    }

    @Test
    void neitherCsvNorMultipartIsUnsupported() {
        Answer answer = api().send("POST", "/api/v1/imports", "application/json", HttpRequest.BodyPublishers.ofString("{}"));
        assertThat(answer.status()).isEqualTo(415);
        assertThat(answer.contentType()).isEqualTo("application/problem+json");
    }

    @Test
    void uploadToAnUnknownImportIsNotFound() {
        for (String id : List.of(UUID.randomUUID().toString(), "not-a-uuid")) {
            Answer answer = api().send("PUT", "/api/v1/imports/" + id, "text/csv", csv("none", 1, 0));
            assertThat(answer.status()).isEqualTo(404);
            assertThat(answer.contentType()).isEqualTo("application/problem+json");
        }
    }

    @Test
    void cancelMidImportAnswersAtOnceAndLeavesNoRows() throws Exception {
        String id = api().post("/api/v1/imports").body().get("id").asText();
        try (RawUpload upload = upload(id, ResponsesTable.csv("cancelled", 50_000, 100_000), 1 << 20)) {
            api().awaitJob(id, Duration.ofSeconds(30), JobsClient.progressAtLeast(1000));
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (table.rowsBeingCopied() == 0 && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertThat(table.rowsBeingCopied()).as("rows PostgreSQL took before the body ended").isPositive();

            assertThat(api().post("/api/v1/jobs/" + id + "/cancel").status()).isEqualTo(202);

            Answer answer = upload.answer().get(10, TimeUnit.SECONDS);
            assertThat(answer.status()).as("answered while the rest of the body is held back").isEqualTo(409);
            assertThat(answer.body().get("state").asText()).isEqualTo("CANCELLED");
            assertThat(upload.sent()).isLessThan(upload.size());
        }
        assertThat(table.count("cancelled")).isZero();
    }

    @Test
    void clientHangingUpMidUploadFailsTheImportWithNoRows() throws Exception {
        String id = api().post("/api/v1/imports").body().get("id").asText();
        try (RawUpload upload = upload(id, ResponsesTable.csv("hung-up", 50_000, 150_000), 1 << 20)) {
            api().awaitJob(id, Duration.ofSeconds(30), JobsClient.progressAtLeast(1000));
        }

        JsonNode failed = api().awaitState(id, "FAILED", Duration.ofSeconds(10));

        // Either the request's cancel ("the request sending its data ended before the end...") or the body's error wins.
        assertThat(failed.get("error").asText()).isNotBlank();
        assertThat(table.count("hung-up")).isZero();
    }

    @Test
    void pauseStallsTheUploadAndResumeImportsEveryRow() throws Exception {
        int rows = 600_000;
        String id = api().post("/api/v1/imports").body().get("id").asText();
        try (RawUpload upload = upload(id, ResponsesTable.csv("paused", rows, 200_000), Long.MAX_VALUE)) {
            api().awaitJob(id, Duration.ofSeconds(30), JobsClient.progressAtLeast(1000));

            assertThat(api().post("/api/v1/jobs/" + id + "/pause").status()).isEqualTo(202);
            Thread.sleep(1500);
            long sent = upload.sent();
            long done = api().job(id).get("progress").get("done").asLong();
            Thread.sleep(1500);
            assertThat(upload.sent()).as("bytes the client could send while paused").isEqualTo(sent).isLessThan(upload.size());
            assertThat(api().job(id).get("progress").get("done").asLong()).isEqualTo(done).isLessThan(rows);
            assertThat(upload.answer()).isNotDone();

            assertThat(api().post("/api/v1/jobs/" + id + "/resume").status()).isEqualTo(202);
            Answer answer = upload.answer().get(60, TimeUnit.SECONDS);
            assertThat(answer.status()).as("%s", answer.body()).isEqualTo(200);
            assertThat(answer.body().get("result").get("rows").asLong()).isEqualTo(rows);
            assertThat(answer.body().get("progress").get("done").asLong()).isEqualTo(rows);
        }
        assertThat(table.count("paused")).isEqualTo(rows);
    }

    @Test
    void importPausedPastTheTimeoutIsCancelledWithNothingLeft() throws Exception {
        String id = api().post("/api/v1/imports").body().get("id").asText();
        try (RawUpload upload = upload(id, ResponsesTable.csv("timed-out", 100_000, 900_000), 2 << 20)) {
            api().awaitJob(id, Duration.ofSeconds(30), JobsClient.progressAtLeast(1000));

            assertThat(api().post("/api/v1/jobs/" + id + "/pause").status()).isEqualTo(202);

            Answer answer = upload.answer().get(20, TimeUnit.SECONDS);
            assertThat(answer.status()).isEqualTo(409);
            assertThat(answer.body().get("state").asText()).isEqualTo("CANCELLED");
            assertThat(answer.body().get("error").asText()).contains("paused for longer than 6s");
        }
        assertThat(table.count("timed-out")).isZero();
    }

    @Test
    void createdImportWithoutDataIsCancelledAfterTheTimeout() throws Exception {
        String id = api().post("/api/v1/imports").body().get("id").asText();

        JsonNode job = api().awaitState(id, "CANCELLED", Duration.ofSeconds(15));

        assertThat(job.get("error").asText()).contains("no data arrived within 6s");
        assertThat(api().send("PUT", "/api/v1/imports/" + id, "text/csv", csv("late", 1, 0)).status()).isEqualTo(409);
    }

    private RawUpload upload(String id, String csv, long gateAt) throws Exception {
        return RawUpload.start(api(), "PUT", "/api/v1/imports/" + id, csv.getBytes(StandardCharsets.UTF_8), gateAt);
    }

    private static HttpRequest.BodyPublisher csv(String formId, int rows, int firstId) {
        return HttpRequest.BodyPublishers.ofString(ResponsesTable.csv(formId, rows, firstId));
    }
}
