package io.zipflux.job;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

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
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import io.zipflux.job.JobsClient.Answer;
import io.zipflux.security.TestKeys;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Writes that meet a full data disk (a real 2 MB tmpfs) answer 507 or fail their job naming what was written,
 * and leave nothing; malformed multipart bodies and Content-Types answer 400 saying what is wrong, leave
 * nothing on disk and no job waiting. Bodies go over raw sockets, as a broken client sends them.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT, properties = {
        "zipflux.archive.photos-dir=${java.io.tmpdir}/zipflux-test-photos",
})
class UploadFaultsTest {

    private static final String BOUNDARY = "zipflux-faults";

    private static SmallDisk disk;

    @LocalServerPort
    private int port;

    @Autowired
    private Environment environment;

    @Value("${spring.r2dbc.url}")
    private String r2dbcUrl;

    private String key;

    @DynamicPropertySource
    static void dataDir(DynamicPropertyRegistry registry) throws Exception {
        disk = SmallDisk.mount(2);
        registry.add("zipflux.data-dir", () -> disk.path().toString());
    }

    @BeforeEach
    void clientKey() {
        key = TestKeys.client(environment, "upload-faults");
    }

    @AfterAll
    static void unmount() throws Exception {
        disk.close();
    }

    private JobsClient api() {
        return new JobsClient(port, key);
    }

    @Test
    void uploadLargerThanTheFreeSpaceAnswers507AndLeavesNothing() throws Exception {
        long free = disk.free();
        Path big = Files.createTempDirectory("upload-faults").resolve("big.bin");
        // HttpClient, as the 413 test: it reads an answer that comes while it still sends (a raw socket may see a reset).
        Answer answer = api().upload("file", TestFiles.sparse(big, free + (1 << 20)));
        Files.delete(big);

        assertThat(answer.status()).as("answer %s", answer).isEqualTo(507);
        assertThat(answer.contentType()).startsWith("application/problem+json");
        assertThat(answer.body().get("detail").asText()).isEqualTo("no space left on the data disk for upload 'big.bin'; "
                + "nothing of it was kept");
        assertThat(files("uploads")).as("the partial upload is removed").isEmpty();
        awaitFree(free);

        Answer small = send("POST", "/api/v1/files", "multipart/form-data; boundary=" + BOUNDARY,
                filePart("file", "small.bin", new byte[64 * 1024]));
        assertThat(small.status()).as("the same disk takes an upload that fits").isEqualTo(202);
        api().awaitState(small.body().get("jobId").asText(), "SUCCEEDED", Duration.ofSeconds(30));
    }

    @Test
    void exportLargerThanTheFreeSpaceFailsNamingItAndLeavesNoFile() throws Exception {
        try (ResponsesTable table = new ResponsesTable(r2dbcUrl)) {
            table.insertMany("disk-full", 40_000, OffsetDateTime.parse("2043-01-02T00:00:00Z"));
            table.insertMany("fits", 10, OffsetDateTime.parse("2043-03-02T00:00:00Z"));
        }
        String id = api().post("/api/v1/exports?from=2043-01-01&to=2043-01-31").body().get("id").asText();

        JsonNode failed = api().awaitState(id, "FAILED", Duration.ofSeconds(60));

        assertThat(failed.get("error").asText()).isEqualTo("no space left on the data disk for export " + id
                + "; nothing of it was kept");
        awaitNoFiles("exports");
        String fits = api().post("/api/v1/exports?from=2043-03-01&to=2043-03-31").body().get("id").asText();
        assertThat(api().awaitState(fits, "SUCCEEDED", Duration.ofSeconds(30)).get("result").get("rows").asLong())
                .as("the same disk takes an export that fits").isEqualTo(10);
    }

    @Test
    void malformedMultipartUploadsAnswer400SayingWhatIsWrong() throws Exception {
        key = TestKeys.client(environment, "malformed-uploads"); // jobs of its own: none must appear
        byte[] part = filePart("file", "a.bin", "some bytes".getBytes(StandardCharsets.UTF_8));
        assertMalformed(send("POST", "/api/v1/files", "multipart/form-data; boundary=", part), "Content-Type");
        assertMalformed(send("POST", "/api/v1/files", "multipart/form-data;;;", part), "Content-Type");
        assertMalformed(send("POST", "/api/v1/files", "multipart/form-data; boundary=" + BOUNDARY, headersOver10KiB()),
                "Part headers exceeded");
        assertMalformed(send("POST", "/api/v1/files", "multipart/form-data; boundary=" + BOUNDARY, endingMidPart()),
                "malformed");
        Answer unsupported = send("POST", "/api/v1/files", "multipart/x", part);
        assertThat(unsupported.status()).as("a well-formed type that is not multipart/form-data").isEqualTo(415);
        assertThat(unsupported.contentType()).startsWith("application/problem+json");
        assertThat(files("uploads")).isEmpty();
        assertThat(jobs("hash")).as("no upload made a job").isEmpty();
    }

    @Test
    void malformedMultipartImportsAnswer400AndLeaveNoJobWaiting() throws Exception {
        key = TestKeys.client(environment, "malformed-imports");
        byte[] part = filePart("file", "a.csv", ResponsesTable.csv("malformed", 3, 700_000).getBytes(StandardCharsets.UTF_8));
        assertMalformed(send("POST", "/api/v1/imports", "multipart/form-data; boundary=", part), "Content-Type");
        assertMalformed(send("POST", "/api/v1/imports", "multipart/form-data;;;", part), "Content-Type");
        Answer headers = send("POST", "/api/v1/imports", "multipart/form-data; boundary=" + BOUNDARY, headersOver10KiB());
        assertMalformed(headers, "Part headers exceeded");
        Answer midPart = send("POST", "/api/v1/imports", "multipart/form-data; boundary=" + BOUNDARY, endingMidPart());
        assertMalformed(midPart, "malformed");
        for (Answer answer : List.of(headers, midPart)) {
            JsonNode job = api().job(answer.body().get("jobId").asText());
            assertThat(job.get("state").asText()).isEqualTo("FAILED");
            assertThat(job.get("error").asText()).isEqualTo(answer.body().get("detail").asText());
        }
        assertThat(jobs("import").stream().map(job -> job.get("state").asText())).containsOnly("FAILED");
        try (ResponsesTable table = new ResponsesTable(r2dbcUrl)) {
            assertThat(table.count("malformed")).isZero();
        }
    }

    private static void assertMalformed(Answer answer, String saying) {
        assertThat(answer.status()).as("answer %s", answer).isEqualTo(400);
        assertThat(answer.contentType()).startsWith("application/problem+json");
        assertThat(answer.body().get("detail").asText()).contains(saying);
    }

    private Answer send(String method, String path, String contentType, byte[] body) throws Exception {
        try (RawUpload upload = RawUpload.start(api(), method, path, contentType, body, Long.MAX_VALUE)) {
            return upload.answer().get(60, TimeUnit.SECONDS);
        }
    }

    private static byte[] filePart(String field, String name, byte[] content) throws IOException {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.write(("--" + BOUNDARY + "\r\nContent-Disposition: form-data; name=\"" + field + "\"; filename=\"" + name
                + "\"\r\nContent-Type: application/octet-stream\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        body.write(content);
        body.write(("\r\n--" + BOUNDARY + "--\r\n").getBytes(StandardCharsets.US_ASCII));
        return body.toByteArray();
    }

    /** A part whose headers are 12 KiB long (the parser's limit is 10 KiB). */
    private static byte[] headersOver10KiB() {
        return ("--" + BOUNDARY + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.bin\"\r\nX-Padding: "
                + "a".repeat(12 * 1024) + "\r\n\r\nsome bytes\r\n--" + BOUNDARY + "--\r\n").getBytes(StandardCharsets.US_ASCII);
    }

    /** A body that ends in the middle of its part's content (no closing boundary). */
    private static byte[] endingMidPart() {
        return ("--" + BOUNDARY + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.bin\"\r\n\r\n"
                + "id,form_id,respondent,submitted_at,answers\r\n1,f,r,2043-01-01T00:00:00Z,{}\r\nsome byt")
                .getBytes(StandardCharsets.US_ASCII);
    }

    private List<Path> files(String folder) throws IOException {
        Path path = disk.path().resolve(folder);
        if (!Files.isDirectory(path)) {
            return List.of();
        }
        try (Stream<Path> listed = Files.list(path)) {
            return listed.toList();
        }
    }

    private List<JsonNode> jobs(String type) {
        Answer listed = api().get("/api/v1/jobs?type=" + type + "&limit=100");
        assertThat(listed.status()).isEqualTo(200);
        JsonNode list = listed.body().has("jobs") ? listed.body().get("jobs") : listed.body();
        return java.util.stream.StreamSupport.stream(list.spliterator(), false).toList();
    }

    /** The clean-up of a failed job runs after its state is saved: waits (bounded) for the folder to empty. */
    private void awaitNoFiles(String folder) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!files(folder).isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertThat(files(folder)).isEmpty();
    }

    private void awaitFree(long free) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (disk.free() < free && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertThat(disk.free()).as("the space the upload took is free again").isGreaterThanOrEqualTo(free);
    }
}
