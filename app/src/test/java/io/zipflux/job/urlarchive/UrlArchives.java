package io.zipflux.job.urlarchive;

import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.Map;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;

import io.zipflux.archive.ZipReaders;
import io.zipflux.job.JobsClient;
import io.zipflux.job.JobsClient.Answer;

import static org.assertj.core.api.Assertions.assertThat;

/** Drives url-archive jobs over real HTTP and checks their zips with two independent readers. */
final class UrlArchives {

    private static final HttpClient HEAD = HttpClient.newHttpClient();

    private final JobsClient api;

    /** Jobs of the caller whose credential {@code api} sends. */
    UrlArchives(JobsClient api) {
        this.api = api;
    }

    JobsClient api() {
        return api;
    }

    Answer post(String json) {
        return api.send("POST", "/api/v1/archives", "application/json", HttpRequest.BodyPublishers.ofString(json));
    }

    /** Posts the request, expecting 202; answers the job id. */
    String start(String json) {
        Answer answer = post(json);
        assertThat(answer.status()).as("POST /api/v1/archives %s: %s", json, answer.body()).isEqualTo(202);
        assertThat(answer.body().get("type").asText()).isEqualTo("url-archive");
        return answer.body().get("id").asText();
    }

    JsonNode await(String jobId, String state) throws InterruptedException {
        return api.awaitState(jobId, state, Duration.ofSeconds(60));
    }

    /** Runs an archive job to SUCCEEDED; answers the job. */
    JsonNode succeed(String json) throws InterruptedException {
        return await(start(json), "SUCCEEDED");
    }

    HttpResponse<byte[]> download(String jobId, String... headers) {
        return api.bytes("/api/v1/archives/" + jobId + "/download", headers);
    }

    HttpResponse<byte[]> head(String jobId) throws Exception {
        HttpRequest request = api.request("/api/v1/archives/" + jobId + "/download")
                .method("HEAD", HttpRequest.BodyPublishers.noBody())
                .build();
        return HEAD.send(request, HttpResponse.BodyHandlers.ofByteArray());
    }

    /** Removes a folder and everything in it. */
    static void deleteTree(Path folder) throws IOException {
        try (Stream<Path> paths = Files.walk(folder)) {
            for (Path path : (Iterable<Path>) paths.sorted(Comparator.reverseOrder())::iterator) {
                Files.delete(path);
            }
        }
    }

    /** Downloads the job's zip and checks it with unzip, Python's zipfile and java.util.zip: name → SHA-256 as expected. */
    void assertArchive(String jobId, Map<String, String> expected) throws Exception {
        HttpResponse<byte[]> response = download(jobId);
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).hasValue("application/zip");
        assertThat(response.headers().firstValueAsLong("Content-Length")).hasValue(response.body().length);
        Path zip = Files.createTempFile("url-archive", ".zip");
        try {
            Files.write(zip, response.body());
            ZipReaders.unzipTest(zip);
            assertThat(ZipReaders.python(zip, "SHA-256")).as("Python zipfile").isEqualTo(expected);
            assertThat(ZipReaders.javaZip(zip, "SHA-256")).as("java.util.zip").isEqualTo(expected);
        }
        finally {
            Files.deleteIfExists(zip);
        }
    }

    static String entries(String... urls) {
        StringBuilder json = new StringBuilder("{\"entries\": [");
        for (int i = 0; i < urls.length; i++) {
            json.append(i == 0 ? "" : ", ").append("{\"url\": \"").append(urls[i]).append("\"}");
        }
        return json.append("]}").toString();
    }
}
