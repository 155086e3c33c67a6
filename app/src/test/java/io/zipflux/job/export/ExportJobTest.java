package io.zipflux.job.export;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

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

import io.zipflux.job.CsvRecords;
import io.zipflux.job.DirectMemory;
import io.zipflux.job.JobsClient;
import io.zipflux.job.JobsClient.Answer;
import io.zipflux.job.ResponsesTable;
import io.zipflux.job.ResponsesTable.Response;
import io.zipflux.security.TestKeys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * CSV exports against a real PostgreSQL and Kafka: the file equals PostgreSQL's own COPY of the same
 * query, the direct CSV equals the file, and pause, cancel, Range and bad input behave. Each test
 * uses days of its own, so that tests never see each other's rows.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT, properties = {
        "zipflux.data-dir=${java.io.tmpdir}/zipflux-test-data-export",
        "zipflux.archive.photos-dir=${java.io.tmpdir}/zipflux-test-photos",
        "zipflux.jobs.export.max-rate=10000",
})
class ExportJobTest {

    /** Slow exports (max-rate 10,000 rows/s): 3 s of rows, in days no other test uses. */
    private static final String SLOW_FROM = "2040-01-01";

    private static final String SLOW_TO = "2040-01-31";

    private static ResponsesTable table;

    @LocalServerPort
    private int port;

    @Autowired
    private Environment environment;

    /** This test's own client key. */
    private String key;

    @BeforeEach
    void clientKey() {
        key = TestKeys.client(environment, "exports");
    }

    @Value("${spring.r2dbc.url}")
    private String r2dbcUrl;

    @Value("${zipflux.data-dir}")
    private Path dataDir;

    @BeforeEach
    void table() throws Exception {
        if (table == null) {
            table = new ResponsesTable(r2dbcUrl);
            table.insertMany("slow", 30_000, OffsetDateTime.parse("2040-01-02T00:00:00Z"));
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
    void exportOfADateRangeEqualsPostgresCopyOfTheSameQuery() throws Exception {
        table.insert(trickyResponsesAround("2031-03-01", "2031-03-31"));

        Answer accepted = api().post("/api/v1/exports?from=2031-03-01&to=2031-03-31");
        assertThat(accepted.status()).isEqualTo(202);
        assertThat(accepted.body().get("type").asText()).isEqualTo("export");
        JsonNode done = api().awaitState(accepted.body().get("id").asText(), "SUCCEEDED", Duration.ofSeconds(30));

        byte[] file = download(done).body();
        String expected = table.copyOut(ResponsesTable.EXPORT_QUERY.formatted("2031-03-01", "2031-03-31"));
        String csv = new String(file, StandardCharsets.UTF_8);
        assertThat(CsvRecords.withLfRecordEnds(csv)).as("the file, CRLF record ends aside").isEqualTo(expected);
        assertThat(CsvRecords.parse(csv)).isEqualTo(CsvRecords.parse(expected)).hasSize(1 + 7);
        assertThat(csv).startsWith("id,form_id,respondent,submitted_at,answers\r\n");
        assertThat(done.get("progress").get("done").asLong()).isEqualTo(7);
        assertThat(done.get("progress").get("total").asLong()).isEqualTo(7);
        assertThat(done.get("result").get("rows").asLong()).isEqualTo(7);
    }

    @Test
    void exportWithoutFromOrToHasEveryRowTheTableCanHold() throws Exception {
        table.execute("INSERT INTO responses (form_id, respondent, submitted_at, answers) VALUES "
                + "('edges', 'first instant', '0001-01-01 00:00:00+00', '{}'), "
                + "('edges', 'last instant', '9999-12-31 23:59:59.999999+00', '{}')");
        for (String outside : List.of("infinity", "-infinity", "0044-03-15 12:00:00+00 BC", "10000-01-01 00:00:00+00")) {
            assertThatThrownBy(() -> table.execute("INSERT INTO responses (form_id, respondent, submitted_at, answers) "
                    + "VALUES ('edges', 'outside', '" + outside + "', '{}')"))
                    .as(outside)
                    .hasMessageContaining("submitted_at_in_years_1_to_9999");
        }

        JsonNode done = api().awaitState(api().post("/api/v1/exports").body().get("id").asText(), "SUCCEEDED",
                Duration.ofSeconds(60));
        List<List<String>> records = CsvRecords.parse(new String(download(done).body(), StandardCharsets.UTF_8));

        assertThat(done.get("result").get("rows").asLong()).isEqualTo(table.count());
        assertThat(records).hasSize(1 + (int) table.count());
        assertThat(records.get(1).get(3)).isEqualTo("0001-01-01T00:00:00.000000Z");
        assertThat(records.get(records.size() - 1).get(3)).isEqualTo("9999-12-31T23:59:59.999999Z");
    }

    @Test
    void largeFieldIsExportedWithoutHoldingItInDirectMemory() throws Exception {
        table.insert(trickyResponsesAround("2038-08-08", "2038-08-08"));
        // About 54 MB of JSON text: two-byte characters (split across parts), quotes (doubled in CSV) and commas.
        table.execute("INSERT INTO responses (form_id, respondent, submitted_at, answers) SELECT 'large', 'big, \"one\"', "
                + "'2038-08-08T12:00:00Z', jsonb_build_object('text', repeat('é\"x,', 9000000))");
        String expected = table.copyOut(ResponsesTable.EXPORT_QUERY.formatted("2038-08-08", "2038-08-08"));
        assertThat(expected.length()).isGreaterThan(50_000_000);

        try (DirectMemory memory = DirectMemory.watch()) {
            String id = api().post("/api/v1/exports?from=2038-08-08&to=2038-08-08").body().get("id").asText();
            JsonNode done = api().awaitState(id, "SUCCEEDED", Duration.ofSeconds(60));
            String file = new String(download(done).body(), StandardCharsets.UTF_8);
            String direct = new String(api().bytes("/api/v1/responses.csv?from=2038-08-08&to=2038-08-08").body(),
                    StandardCharsets.UTF_8);

            assertThat(CsvRecords.withLfRecordEnds(file)).as("the export file").isEqualTo(expected);
            assertThat(direct).as("the direct CSV").isEqualTo(file);
            assertThat(done.get("result").get("rows").asLong()).isEqualTo(5);
            assertThat(memory.peakGrowth()).as("direct memory taken beyond what was in use before").isLessThan(24L << 20);
        }
    }

    @Test
    void directCsvEqualsTheExportFile() throws Exception {
        table.insert(trickyResponsesAround("2032-06-01", "2032-06-02"));
        String id = api().post("/api/v1/exports?from=2032-06-01&to=2032-06-02").body().get("id").asText();
        byte[] file = download(api().awaitState(id, "SUCCEEDED", Duration.ofSeconds(30))).body();

        HttpResponse<byte[]> direct = api().bytes("/api/v1/responses.csv?from=2032-06-01&to=2032-06-02");

        assertThat(direct.statusCode()).isEqualTo(200);
        assertThat(direct.headers().firstValue("Content-Type")).hasValue("text/csv;charset=UTF-8");
        assertThat(direct.body()).isEqualTo(file);
        assertThat(CsvRecords.parse(new String(file, StandardCharsets.UTF_8))).hasSize(1 + 7);
    }

    @Test
    void downloadAnswersARangeWithTheExactSlice() throws Exception {
        table.insert(trickyResponsesAround("2033-01-10", "2033-01-20"));
        String id = api().post("/api/v1/exports?from=2033-01-10&to=2033-01-20").body().get("id").asText();
        byte[] whole = download(api().awaitState(id, "SUCCEEDED", Duration.ofSeconds(30))).body();

        HttpResponse<byte[]> slice = api().bytes("/api/v1/exports/" + id + "/download", "Range", "bytes=50-149");

        assertThat(slice.statusCode()).isEqualTo(206);
        assertThat(slice.headers().firstValue("Content-Range")).hasValue("bytes 50-149/" + whole.length);
        assertThat(slice.body()).isEqualTo(Arrays.copyOfRange(whole, 50, 150));
    }

    @Test
    void badOrReversedDatesAreRejectedWithAProblem() {
        for (String query : List.of("from=2026-13-01&to=2026-12-31", "from=yesterday", "to=2026-02-30",
                "from=2026-03-02&to=2026-03-01")) {
            for (Answer answer : List.of(api().post("/api/v1/exports?" + query), api().get("/api/v1/responses.csv?" + query))) {
                assertThat(answer.status()).as(query).isEqualTo(400);
                assertThat(answer.contentType()).isEqualTo("application/problem+json");
                assertThat(answer.body().get("detail").asText()).as(query).containsAnyOf("YYYY-MM-DD", "on or before");
            }
        }
    }

    @Test
    void spreadsheetSafeExportPrefixesCellsThatStartLikeAFormula() throws Exception {
        List<Response> responses = new ArrayList<>(trickyResponsesAround("2034-04-01", "2034-04-02"));
        OffsetDateTime at = OffsetDateTime.parse("2034-04-01T10:00:00Z");
        responses.add(new Response("=HYPERLINK(\"http://x\")", "=1+1", at, "-5"));
        responses.add(new Response("+form", "+49 30 123", at.plusSeconds(1), "{\"a\": \"=b\"}"));
        responses.add(new Response("-form", "-2+3", at.plusSeconds(2), "-0.5"));
        responses.add(new Response("@form", "@SUM(A1:A9)", at.plusSeconds(3), "[\"@x\"]"));
        responses.add(new Response("\tform", "\tcmd|' /C calc'!A0", at.plusSeconds(4), "{}"));
        responses.add(new Response("\rform", "\r=2*3", at.plusSeconds(5), "{}"));
        responses.add(new Response("form=", "a=b, c+d, 'quoted'", at.plusSeconds(6), "7"));
        table.insert(responses);
        String range = "from=2034-04-01&to=2034-04-02";
        List<List<String>> plain = CsvRecords.parse(new String(api().bytes("/api/v1/responses.csv?" + range).body(),
                StandardCharsets.UTF_8));

        String id = api().post("/api/v1/exports?spreadsheetSafe=true&" + range).body().get("id").asText();
        JsonNode done = api().awaitState(id, "SUCCEEDED", Duration.ofSeconds(30));
        byte[] file = download(done).body();
        HttpResponse<byte[]> direct = api().bytes("/api/v1/responses.csv?spreadsheetSafe=true&" + range);
        List<List<String>> safe = CsvRecords.parse(new String(file, StandardCharsets.UTF_8));

        assertThat(direct.statusCode()).isEqualTo(200);
        assertThat(direct.body()).as("the direct CSV and the export file agree").isEqualTo(file);
        assertThat(done.get("result").get("spreadsheetSafe").asBoolean()).isTrue();
        assertThat(plain).hasSize(1 + 7 + 7);
        assertThat(safe).hasSameSizeAs(plain);
        assertThat(safe.get(0)).isEqualTo(plain.get(0));
        int guarded = 0;
        for (int i = 1; i < plain.size(); i++) {
            List<String> original = plain.get(i);
            List<String> expected = new ArrayList<>(original);
            for (int column : List.of(1, 2, 4)) {
                String cell = original.get(column);
                if (!cell.isEmpty() && "=+-@\t\r".indexOf(cell.charAt(0)) >= 0) {
                    expected.set(column, "'" + cell);
                    guarded++;
                }
            }
            assertThat(safe.get(i)).as("record %d", i).isEqualTo(expected);
        }
        assertThat(guarded).as("cells that started like a formula: six forms, six respondents, two answers").isEqualTo(14);
        assertThat(safe).anySatisfy(record -> assertThat(record).containsExactly(record.get(0), "'=HYPERLINK(\"http://x\")",
                "'=1+1", "2034-04-01T10:00:00.000000Z", "'-5"));
    }

    @Test
    void exportsAreUnchangedByDefaultSoTheyImportBack() throws Exception {
        table.insert(List.of(new Response("=form", "=1+1", OffsetDateTime.parse("2034-05-01T10:00:00Z"), "-5"),
                new Response("@form", "-2", OffsetDateTime.parse("2034-05-01T10:00:01Z"), "{\"x\": \"+1\"}")));
        String expected = table.copyOut(ResponsesTable.EXPORT_QUERY.formatted("2034-05-01", "2034-05-01"));

        for (String query : List.of("", "&spreadsheetSafe=false", "&spreadsheetSafe=FALSE")) {
            String id = api().post("/api/v1/exports?from=2034-05-01&to=2034-05-01" + query).body().get("id").asText();
            String file = new String(download(api().awaitState(id, "SUCCEEDED", Duration.ofSeconds(30))).body(),
                    StandardCharsets.UTF_8);
            String direct = new String(api().bytes("/api/v1/responses.csv?from=2034-05-01&to=2034-05-01" + query).body(),
                    StandardCharsets.UTF_8);

            assertThat(CsvRecords.withLfRecordEnds(file)).as("export%s equals PostgreSQL's COPY", query).isEqualTo(expected);
            assertThat(direct).as(query).isEqualTo(file).contains(",=1+1,").doesNotContain("'");
        }
    }

    @Test
    void aSpreadsheetSafeValueOtherThanTrueOrFalseIsRejected() {
        for (String value : List.of("maybe", "1", "yes", "")) {
            for (Answer answer : List.of(api().post("/api/v1/exports?spreadsheetSafe=" + value),
                    api().get("/api/v1/responses.csv?spreadsheetSafe=" + value))) {
                assertThat(answer.status()).as(value).isEqualTo(400);
                assertThat(answer.contentType()).isEqualTo("application/problem+json");
                assertThat(answer.body().get("detail").asText()).contains("spreadsheetSafe", "true or false");
            }
        }
    }

    @Test
    void aFailedExportSaysWhatFailedWithoutALocalPathOrClassName() throws Exception {
        Path exports = dataDir.resolve("exports");
        Path aside = dataDir.resolve("exports-aside");
        Files.move(exports, aside);
        Files.writeString(exports, "a file where the export folder should be");
        try {
            String id = api().post("/api/v1/exports?from=2035-01-01&to=2035-01-01").body().get("id").asText();
            JsonNode failed = api().awaitState(id, "FAILED", Duration.ofSeconds(30));

            assertThat(failed.get("error").asText())
                    .contains("file of the server could not be read or written")
                    .doesNotContain(dataDir.toString(), "/tmp", "exports/", id + ".csv", "Exception", "java.");
        }
        finally {
            Files.delete(exports);
            Files.move(aside, exports);
        }
        String id = api().post("/api/v1/exports?from=2035-01-01&to=2035-01-01").body().get("id").asText();
        assertThat(api().awaitState(id, "SUCCEEDED", Duration.ofSeconds(30)).get("error").isNull())
                .as("the same export succeeds once the folder is back").isTrue();
    }

    @Test
    void pausedExportStopsAndResumesToTheFullFile() throws Exception {
        String id = startSlowExport();
        api().awaitJob(id, Duration.ofSeconds(30), JobsClient.progressAtLeast(1000));

        assertThat(api().post("/api/v1/jobs/" + id + "/pause").status()).isEqualTo(202);
        Thread.sleep(700);
        long paused = api().job(id).get("progress").get("done").asLong();
        Thread.sleep(1000);
        JsonNode later = api().job(id);
        assertThat(later.get("progress").get("done").asLong()).isEqualTo(paused).isLessThan(30_000);
        assertThat(later.get("progress").get("total").asLong()).isEqualTo(30_000);
        Answer early = api().get("/api/v1/exports/" + id + "/download");
        assertThat(early.status()).isEqualTo(409);
        assertThat(early.contentType()).isEqualTo("application/problem+json");

        assertThat(api().post("/api/v1/jobs/" + id + "/resume").status()).isEqualTo(202);
        JsonNode done = api().awaitState(id, "SUCCEEDED", Duration.ofSeconds(30));
        String csv = new String(download(done).body(), StandardCharsets.UTF_8);
        assertThat(CsvRecords.withLfRecordEnds(csv)).as("every row, in order, after a pause")
                .isEqualTo(table.copyOut(ResponsesTable.EXPORT_QUERY.formatted(SLOW_FROM, SLOW_TO)));
    }

    @Test
    void cancelMidExportRemovesThePartialFile() throws Exception {
        String id = startSlowExport();
        api().awaitJob(id, Duration.ofSeconds(30), JobsClient.progressAtLeast(1000));
        assertThat(Files.exists(dataDir.resolve("exports").resolve(id + ".csv.part"))).isTrue();

        assertThat(api().post("/api/v1/jobs/" + id + "/cancel").status()).isEqualTo(202);
        api().awaitState(id, "CANCELLED", Duration.ofSeconds(5));

        long deadline = System.nanoTime() + Duration.ofSeconds(2).toNanos();
        while (exportFiles(id).size() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertThat(exportFiles(id)).isEmpty();
        assertThat(api().get("/api/v1/exports/" + id + "/download").status()).isEqualTo(409);
    }

    @Test
    void downloadOfAnUnknownOrNonExportJobIsNotFound() {
        String importJob = api().post("/api/v1/imports").body().get("id").asText();
        for (String id : List.of("4b0d7c3e-0000-4000-8000-000000000000", "not-a-uuid", importJob)) {
            Answer answer = api().get("/api/v1/exports/" + id + "/download");
            assertThat(answer.status()).as(id).isEqualTo(404);
            assertThat(answer.contentType()).isEqualTo("application/problem+json");
        }
    }

    private String startSlowExport() {
        Answer accepted = api().post("/api/v1/exports?from=" + SLOW_FROM + "&to=" + SLOW_TO);
        assertThat(accepted.status()).isEqualTo(202);
        return accepted.body().get("id").asText();
    }

    private HttpResponse<byte[]> download(JsonNode job) {
        HttpResponse<byte[]> file = api().bytes("/api/v1/exports/" + job.get("id").asText() + "/download");
        assertThat(file.statusCode()).isEqualTo(200);
        assertThat(file.headers().firstValue("Content-Disposition").orElse("")).startsWith("attachment;");
        return file;
    }

    private List<Path> exportFiles(String id) throws Exception {
        try (var files = Files.list(dataDir.resolve("exports"))) {
            return files.filter(file -> file.getFileName().toString().startsWith(id)).toList();
        }
    }

    /**
     * Seven responses inside the range (at its first and last microsecond among them, two at the same
     * instant) and one just outside each end; respondents and answers with commas, quotes, line
     * breaks and non-ASCII text.
     */
    static List<Response> trickyResponsesAround(String from, String to) {
        OffsetDateTime first = OffsetDateTime.parse(from + "T00:00:00Z");
        OffsetDateTime last = OffsetDateTime.parse(to + "T23:59:59.999999Z");
        List<Response> responses = new ArrayList<>();
        responses.add(new Response("form-a", "before, the range", first.minusNanos(1000), "{\"n\": 0}"));
        responses.add(new Response("form-a", "Smith, \"Jo\"", first, "{\"comment\": \"a, \\\"quoted\\\" text\"}"));
        responses.add(new Response("form-b", "two\nlines\r\nand CRLF", first.plusHours(5),
                "{\"comment\": \"line one\\nline two\", \"ok\": true}"));
        responses.add(new Response("form-b", "Zoë Ångström — 李雷 🎉", first.plusHours(5), "{\"emoji\": \"🎉\", \"tags\": [\"a,b\", \"\\\"\"]}"));
        responses.add(new Response("form-c", "\"quoted at both ends\"", first.plusDays(1), "{}"));
        responses.add(new Response("form-c", " spaces around ", first.plusDays(1).plusSeconds(1), "[1, 2, 3]"));
        responses.add(new Response("form-c", "", first.plusDays(1).plusSeconds(2), "\"just a string, with a comma\""));
        responses.add(new Response("form-d", "the last microsecond", last, "{\"n\": 7}"));
        responses.add(new Response("form-d", "after the range", last.plusNanos(1000), "{\"n\": 8}"));
        return responses;
    }
}
