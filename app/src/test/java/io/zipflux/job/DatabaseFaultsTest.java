package io.zipflux.job;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.core.env.Environment;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import io.zipflux.job.JobsClient.Answer;
import io.zipflux.security.TestKeys;
import io.zipflux.system.LocalServices;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Running jobs against a PostgreSQL that is restarted, or whose job connection is terminated, mid-run: an
 * export rides it out and ends with the exact CSV; an import, whose transaction is lost with its connection,
 * answers 503 saying so and leaves no rows.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT, properties = {
        "zipflux.data-dir=${java.io.tmpdir}/zipflux-test-data-faults",
        "zipflux.archive.photos-dir=${java.io.tmpdir}/zipflux-test-photos",
        "zipflux.jobs.export.max-rate=10000",
        "zipflux.local-services=false",
})
@DirtiesContext // its PostgreSQL goes with the class
class DatabaseFaultsTest {

    /** 30,000 rows exported at 10,000 rows/s: a run of 3 s, long enough to be hit mid-query. */
    private static final int EXPORT_ROWS = 30_000;

    private static RestartablePostgres postgres;

    @LocalServerPort
    private int port;

    @Autowired
    private Environment environment;

    private String key;

    @DynamicPropertySource
    static void database(DynamicPropertyRegistry registry) throws Exception {
        postgres = new RestartablePostgres();
        registry.add("spring.r2dbc.url", postgres::r2dbcUrl);
        registry.add("spring.r2dbc.username", () -> "postgres");
        registry.add("spring.r2dbc.password", () -> "postgres");
        registry.add("spring.kafka.bootstrap-servers", () -> LocalServices.get().kafkaBootstrap());
        registry.add("zipflux.jobs.topic-prefix", () -> "faults-" + UUID.randomUUID() + ".");
    }

    @BeforeEach
    void clientKey() {
        assertThat(environment.getProperty("spring.r2dbc.url")).as("the app uses the restartable PostgreSQL")
                .isEqualTo(postgres.r2dbcUrl());
        key = TestKeys.client(environment, "faults");
    }

    @AfterAll
    static void stop() {
        postgres.close();
    }

    private JobsClient api() {
        return new JobsClient(port, key);
    }

    @Test
    void exportHitByAPostgresRestartEndsSucceededWithTheExactCsv() throws Exception {
        String id = exportRunning("2041-01-01", "2041-01-31", "restarted");
        Instant before = postgres.startedAt();

        postgres.restart(Duration.ofSeconds(2));

        assertThat(postgres.startedAt()).as("PostgreSQL was restarted").isAfter(before);
        assertExportIsExact(id, "2041-01-01", "2041-01-31");
    }

    @Test
    void exportWhoseConnectionIsTerminatedEndsSucceededWithTheExactCsv() throws Exception {
        String id = exportRunning("2042-01-01", "2042-01-31", "terminated");

        assertThat(postgres.terminate("SELECT id::text")).as("the export's query was terminated").isEqualTo(1);

        assertExportIsExact(id, "2042-01-01", "2042-01-31");
    }

    @Test
    void importHitByAPostgresRestartAnswers503AndLeavesNoRows() throws Exception {
        try (RawUpload upload = importRunning("restarted-import", 1_000_000)) {
            assertThat(upload.sent()).isLessThan(upload.size());
            postgres.restart(Duration.ofSeconds(2));

            assertDatabaseLost(upload, "restarted-import");
        }
    }

    @Test
    void importWhoseConnectionIsTerminatedAnswers503AndLeavesNoRows() throws Exception {
        try (RawUpload upload = importRunning("terminated-import", 2_000_000)) {
            assertThat(postgres.terminate("COPY")).as("the import's COPY was terminated").isEqualTo(1);

            assertDatabaseLost(upload, "terminated-import");
        }
    }

    /** An export of {@value #EXPORT_ROWS} new rows in the range, once it has written some and not all. */
    private String exportRunning(String from, String to, String formId) throws Exception {
        try (ResponsesTable table = new ResponsesTable(postgres.r2dbcUrl())) {
            table.insertMany(formId, EXPORT_ROWS, OffsetDateTime.parse(from + "T00:00:00Z"));
        }
        Answer accepted = api().post("/api/v1/exports?from=" + from + "&to=" + to);
        assertThat(accepted.status()).isEqualTo(202);
        String id = accepted.body().get("id").asText();
        // A loaded machine may take a while to have its consumer assigned the new topic's partitions.
        JsonNode running = api().awaitJob(id, Duration.ofSeconds(120), JobsClient.progressAtLeast(2_000));
        assertThat(running.get("state").asText()).isEqualTo("RUNNING");
        assertThat(running.get("progress").get("done").asLong()).as("hit mid-run").isLessThan(EXPORT_ROWS / 2);
        return id;
    }

    private void assertExportIsExact(String id, String from, String to) throws Exception {
        JsonNode done = api().awaitJob(id, Duration.ofSeconds(90), job -> job.get("state").asText().matches("SUCCEEDED|FAILED"));
        assertThat(done.get("state").asText()).as("job %s", done).isEqualTo("SUCCEEDED");
        assertThat(done.get("result").get("rows").asLong()).isEqualTo(EXPORT_ROWS);
        String csv = new String(api().bytes("/api/v1/exports/" + id + "/download").body(), StandardCharsets.UTF_8);
        try (ResponsesTable table = new ResponsesTable(postgres.r2dbcUrl())) {
            String expected = table.copyOut(ResponsesTable.EXPORT_QUERY.formatted(from, to));
            assertThat(CsvRecords.withLfRecordEnds(csv)).as("the file, CRLF record ends aside").isEqualTo(expected);
        }
    }

    /**
     * An import of 50,000 rows whose body is held back after its first 256 KiB, once PostgreSQL has taken rows of
     * it. That is one batch of the import: PostgreSQL has rows only once the server has read every byte sent, so the
     * connection holds no unread bytes when the answer comes (a close on unread bytes is a reset that loses it).
     */
    private RawUpload importRunning(String formId, int firstId) throws Exception {
        String id = api().post("/api/v1/imports").body().get("id").asText();
        RawUpload upload = RawUpload.start(api(), "PUT", "/api/v1/imports/" + id,
                ResponsesTable.csv(formId, 50_000, firstId).getBytes(StandardCharsets.UTF_8), 256 * 1024);
        try (ResponsesTable table = new ResponsesTable(postgres.r2dbcUrl())) {
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (table.rowsBeingCopied() == 0 && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertThat(table.rowsBeingCopied()).as("rows PostgreSQL took before the fault").isPositive();
        }
        return upload;
    }

    private void assertDatabaseLost(RawUpload upload, String formId) throws Exception {
        Answer answer = upload.answer().get(60, TimeUnit.SECONDS);
        assertThat(answer.status()).as("answer %s", answer).isEqualTo(503);
        assertThat(answer.contentType()).startsWith("application/problem+json");
        assertThat(answer.body().get("title").asText()).isEqualTo("Database connection lost");
        assertThat(answer.body().get("detail").asText()).contains("none of its rows were written");
        String jobId = answer.body().get("jobId").asText();
        JsonNode job = api().job(jobId);
        assertThat(job.get("state").asText()).isEqualTo("FAILED");
        assertThat(job.get("error").asText()).contains("database connection was lost").contains("no rows were written");
        try (ResponsesTable table = new ResponsesTable(postgres.r2dbcUrl())) {
            assertThat(table.count(formId)).isZero();
            assertThat(table.rowsBeingCopied()).isZero();
        }
    }
}
