package io.zipflux.job.hash;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Random;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.core.env.Environment;

import io.zipflux.job.JobsClient;
import io.zipflux.job.TestFiles;
import io.zipflux.job.JobsClient.Answer;
import io.zipflux.security.TestKeys;

import static org.assertj.core.api.Assertions.assertThat;

/** Upload → hash through the real broker and database, checked against coreutils. */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT, properties = {
        "zipflux.data-dir=${java.io.tmpdir}/zipflux-test-data",
        "zipflux.archive.photos-dir=${java.io.tmpdir}/zipflux-test-photos",
})
class HashJobTest {

    @LocalServerPort
    private int port;

    @Autowired
    private Environment environment;

    /** This test's own client key. */
    private String key;

    @BeforeEach
    void clientKey() {
        key = TestKeys.client(environment, "hash-jobs");
    }

    @TempDir
    private Path files;

    private JobsClient client() {
        return new JobsClient(port, key);
    }

    @Test
    void smallUploadIsHashedLikeCoreutils() throws Exception {
        Path file = files.resolve("small.bin");
        byte[] bytes = new byte[123_457];
        new Random(7).nextBytes(bytes);
        Files.write(file, bytes);

        assertHashedLikeCoreutils(file);
    }

    @Test
    void emptyUploadIsHashedLikeCoreutils() throws Exception {
        assertHashedLikeCoreutils(Files.createFile(files.resolve("empty.bin")));
    }

    @Test
    void multiGigabyteUploadIsHashedLikeCoreutils() throws Exception {
        assertHashedLikeCoreutils(TestFiles.sparse(files.resolve("sparse.bin"), (2L << 30) + 3));
    }

    private void assertHashedLikeCoreutils(Path file) throws Exception {
        Answer accepted = client().upload("file", file);
        assertThat(accepted.status()).isEqualTo(202);
        assertThat(accepted.body().get("status").asText()).isEqualTo("PENDING");
        String id = accepted.body().get("id").asText();

        JsonNode hash = awaitHash(id, Duration.ofMinutes(2));

        assertThat(hash.get("status").asText()).isEqualTo("SUCCESS");
        assertThat(hash.get("size").asLong()).isEqualTo(Files.size(file));
        assertThat(hash.get("md5").asText()).isEqualTo(TestFiles.coreutils("md5sum", file));
        assertThat(hash.get("sha256").asText()).isEqualTo(TestFiles.coreutils("sha256sum", file));
        JsonNode job = client().job(accepted.body().get("jobId").asText());
        assertThat(job.get("type").asText()).isEqualTo("hash");
        assertThat(job.get("progress").get("done").asLong()).isEqualTo(Files.size(file));
        assertThat(job.get("progress").get("unit").asText()).isEqualTo("bytes");
        assertUploadRemoved(id);
    }

    /** The stored upload is only the job's input: it goes once the job has ended. */
    private static void assertUploadRemoved(String fileId) throws InterruptedException {
        Path upload = Path.of(System.getProperty("java.io.tmpdir"), "zipflux-test-data", "uploads", fileId);
        for (int i = 0; i < 100 && Files.exists(upload); i++) {
            Thread.sleep(20);
        }
        assertThat(upload).doesNotExist();
    }

    private JsonNode awaitHash(String id, Duration limit) throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        while (true) {
            Answer answer = client().get("/api/v1/files/" + id + "/hash");
            assertThat(answer.status()).isEqualTo(200);
            if (!answer.body().get("status").asText().equals("PENDING")) {
                return answer.body();
            }
            assertThat(System.nanoTime()).as("hash of %s still pending", id).isLessThan(deadline);
            Thread.sleep(50);
        }
    }

    @Test
    void unknownOrMalformedFileIdIsInvalid() {
        for (String id : new String[] {"not-a-uuid", "00000000-0000-0000-0000-000000000000"}) {
            Answer answer = client().get("/api/v1/files/" + id + "/hash");

            assertThat(answer.status()).isEqualTo(404);
            assertThat(answer.body().get("status").asText()).isEqualTo("INVALID_ID");
        }
    }

    @Test
    void uploadWithoutTheFilePartIsABadRequest() {
        Answer answer = client().uploadWithoutFile();

        assertThat(answer.status()).isEqualTo(400);
        assertThat(answer.contentType()).isEqualTo("application/problem+json");
        assertThat(answer.body().get("detail").asText()).contains("'file'");
    }

    @Test
    void uploadThatIsNotMultipartIsRefused() {
        Answer answer = client().post("/api/v1/files");

        assertThat(answer.status()).isEqualTo(415);
        assertThat(answer.contentType()).isEqualTo("application/problem+json");
    }
}
