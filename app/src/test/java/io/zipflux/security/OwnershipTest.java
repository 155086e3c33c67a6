package io.zipflux.security;

import java.io.IOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.StreamSupport;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.core.env.Environment;

import io.zipflux.job.JobsClient;
import io.zipflux.job.JobsClient.Answer;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two clients and an admin: a client sees, lists, controls, downloads and follows only its own jobs
 * (another's is 404, as if it did not exist); hash ids follow their job; the admin sees all.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT, properties = {
        "zipflux.archive.photos-dir=${java.io.tmpdir}/zipflux-test-photos-ownership",
        "zipflux.data-dir=${java.io.tmpdir}/zipflux-test-data-ownership",
        "zipflux.fetch.allow-private=true",
})
class OwnershipTest {

    private static final Duration WAIT = Duration.ofSeconds(60);

    @LocalServerPort
    private int port;

    @Autowired
    private Environment environment;

    @TempDir
    private Path files;

    private JobsClient alice;

    private JobsClient bob;

    private JobsClient admin;

    @BeforeEach
    void clients() throws IOException {
        alice = new JobsClient(port, TestKeys.client(environment, "alice"));
        bob = new JobsClient(port, TestKeys.client(environment, "bob"));
        admin = new JobsClient(port, TestKeys.admin(environment, "ownership-admin"));
        Path folder = Files.createDirectories(Path.of(System.getProperty("java.io.tmpdir"), "zipflux-test-photos-ownership", "owned"));
        Files.write(folder.resolve("one.txt"), "one".repeat(1000).getBytes());
    }

    @Test
    void aClientCannotSeeListControlDownloadOrFollowAnothersJobs() throws Exception {
        String export = started(bob.post("/api/v1/exports"));
        String archive = started(bob.send("POST", "/api/v1/archives", "application/json",
                HttpRequest.BodyPublishers.ofString("{\"urls\": [\"http://127.0.0.1:" + port + "/archive/owned/\"]}")));
        Answer upload = bob.upload("file", Files.writeString(files.resolve("hashed.txt"), "hash me"));
        String hash = upload.body().get("jobId").asText();
        String fileId = upload.body().get("id").asText();
        for (String id : List.of(export, archive, hash)) {
            bob.awaitState(id, "SUCCEEDED", WAIT);
        }

        for (String id : List.of(export, archive, hash)) {
            assertHidden(alice.get("/api/v1/jobs/" + id));
            assertHidden(alice.get("/api/v1/jobs/" + id + "/events"));
            assertThat(bob.bytes("/api/v1/jobs/" + id + "/events").body()).asString().contains("event:succeeded");
        }
        assertHidden(alice.get("/api/v1/exports/" + export + "/download"));
        assertThat(bob.bytes("/api/v1/exports/" + export + "/download").statusCode()).isEqualTo(200);
        assertHidden(alice.get("/api/v1/archives/" + archive + "/download"));
        assertThat(alice.send("HEAD", "/api/v1/archives/" + archive + "/download", null,
                HttpRequest.BodyPublishers.noBody()).status()).isEqualTo(404);
        assertThat(bob.bytes("/api/v1/archives/" + archive + "/download").statusCode()).isEqualTo(200);

        Answer othersHash = alice.get("/api/v1/files/" + fileId + "/hash");
        Answer unknownHash = alice.get("/api/v1/files/00000000-0000-0000-0000-000000000000/hash");
        assertThat(othersHash.status()).isEqualTo(unknownHash.status()).isEqualTo(404);
        assertThat(othersHash.body().get("status").asText()).isEqualTo("INVALID_ID");
        assertThat(bob.get("/api/v1/files/" + fileId + "/hash").body().get("status").asText()).isEqualTo("SUCCESS");

        assertThat(ids(alice.get("/api/v1/jobs"))).doesNotContain(export, archive, hash);
        assertThat(ids(bob.get("/api/v1/jobs"))).contains(export, archive, hash);
        assertThat(ids(admin.get("/api/v1/jobs"))).contains(export, archive, hash);
        assertThat(bob.job(export).get("owner").asText()).isEqualTo("bob");
        assertThat(admin.job(export).get("owner").asText()).isEqualTo("bob");
        assertThat(admin.bytes("/api/v1/exports/" + export + "/download").statusCode()).isEqualTo(200);
        assertThat(admin.bytes("/api/v1/archives/" + archive + "/download").statusCode()).isEqualTo(200);
        assertThat(admin.get("/api/v1/files/" + fileId + "/hash").body().get("status").asText()).isEqualTo("SUCCESS");
    }

    @Test
    void aClientCannotPauseResumeCancelOrFeedAnothersJobButAnAdminCan() throws Exception {
        Answer created = bob.post("/api/v1/imports");
        assertThat(created.status()).isEqualTo(201);
        String id = created.body().get("id").asText();

        for (String action : List.of("pause", "resume", "cancel")) {
            assertHidden(alice.post("/api/v1/jobs/" + id + "/" + action));
        }
        assertHidden(alice.send("PUT", "/api/v1/imports/" + id, "text/csv",
                HttpRequest.BodyPublishers.ofString("id,form_id\n")));
        assertThat(bob.job(id).get("state").asText()).as("untouched by alice").isEqualTo("QUEUED");

        Answer cancelled = admin.post("/api/v1/jobs/" + id + "/cancel");
        assertThat(cancelled.status()).isEqualTo(202);
        assertThat(bob.job(id).get("state").asText()).isEqualTo("CANCELLED");
    }

    @Test
    void aClientsOwnJobsAnswerAsBefore() throws Exception {
        String id = started(alice.post("/api/v1/exports"));
        alice.awaitState(id, "SUCCEEDED", WAIT);
        HttpResponse<byte[]> csv = alice.bytes("/api/v1/exports/" + id + "/download");
        assertThat(csv.statusCode()).isEqualTo(200);
        assertThat(alice.post("/api/v1/jobs/" + id + "/cancel").status()).as("ended: a conflict, not hidden").isEqualTo(409);
    }

    private static String started(Answer answer) {
        assertThat(answer.status()).as("%s", answer.body()).isEqualTo(202);
        return answer.body().get("id").asText();
    }

    private static void assertHidden(Answer answer) {
        assertThat(answer.status()).as("%s", answer.body()).isEqualTo(404);
        assertThat(answer.contentType()).startsWith("application/problem+json");
    }

    private static List<String> ids(Answer list) {
        assertThat(list.status()).isEqualTo(200);
        return StreamSupport.stream(list.body().spliterator(), false).map(job -> job.get("id").asText()).toList();
    }
}
