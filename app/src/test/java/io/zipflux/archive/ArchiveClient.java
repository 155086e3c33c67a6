package io.zipflux.archive;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/** A plain HTTP client for the service under test: raw paths, whole bodies as bytes or files. */
final class ArchiveClient {

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private final int port;

    ArchiveClient(int port) {
        this.port = port;
    }

    HttpResponse<byte[]> get(String rawPath, String... headers) throws IOException, InterruptedException {
        return http.send(request(rawPath, headers).build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    HttpResponse<Path> download(String rawPath, Path target, String... headers) throws IOException, InterruptedException {
        return http.send(request(rawPath, headers).build(), HttpResponse.BodyHandlers.ofFile(target));
    }

    HttpResponse<Void> head(String rawPath, String... headers) throws IOException, InterruptedException {
        return http.send(request(rawPath, headers).method("HEAD", HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.discarding());
    }

    /** Downloads into a temp file, for the external readers. */
    Path downloadToTemp(String rawPath) throws IOException, InterruptedException {
        Path target = Files.createTempFile("zipflux-test", ".zip");
        target.toFile().deleteOnExit();
        HttpResponse<Path> response = download(rawPath, target);
        if (response.statusCode() != 200) {
            throw new IllegalStateException(rawPath + " answered " + response.statusCode());
        }
        return target;
    }

    private HttpRequest.Builder request(String rawPath, String... headers) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + rawPath))
                .timeout(Duration.ofSeconds(120));
        if (headers.length > 0) {
            builder.headers(headers);
        }
        return builder;
    }
}
