package io.zipflux.archive;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/** A plain HTTP client for the service under test: raw paths, whole bodies as bytes or files, a credential perhaps. */
final class ArchiveClient {

    private static final byte[] ZEROS = new byte[1 << 20];

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private final int port;

    /** Sent as {@code Authorization: Bearer <key>}; null for none, as a browser following a link sends. */
    private final String key;

    ArchiveClient(int port) {
        this(port, null);
    }

    ArchiveClient(int port, String key) {
        this.port = port;
        this.key = key;
    }

    HttpResponse<byte[]> get(String rawPath, String... headers) throws IOException, InterruptedException {
        return http.send(request(rawPath, headers).build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    /** POSTs a JSON body; the answer as text. */
    HttpResponse<String> postJson(String rawPath, String json) throws IOException, InterruptedException {
        HttpRequest post = request(rawPath, "Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json))
                .build();
        return http.send(post, HttpResponse.BodyHandlers.ofString());
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

    /**
     * Downloads into a sparse temp file: runs of zero bytes become holes, so a multi-GiB archive of
     * sparse test files costs no disk writes.
     */
    Path downloadSparse(String rawPath) throws IOException, InterruptedException {
        Path target = Files.createTempFile("zipflux-test", ".zip");
        target.toFile().deleteOnExit();
        HttpResponse<InputStream> response = http.send(request(rawPath).build(), HttpResponse.BodyHandlers.ofInputStream());
        byte[] block = new byte[1 << 20];
        try (InputStream in = response.body(); FileChannel out = FileChannel.open(target, StandardOpenOption.WRITE)) {
            for (int read; (read = in.readNBytes(block, 0, block.length)) > 0; ) {
                if (isZeros(block, read)) {
                    out.position(out.position() + read);
                }
                else {
                    out.write(ByteBuffer.wrap(block, 0, read));
                }
            }
            if (out.size() < out.position()) {
                out.write(ByteBuffer.allocate(1), out.position() - 1);
            }
        }
        return target;
    }

    private static boolean isZeros(byte[] block, int length) {
        return Arrays.mismatch(block, 0, length, ZEROS, 0, length) < 0;
    }

    private HttpRequest.Builder request(String rawPath, String... headers) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + rawPath))
                .timeout(Duration.ofSeconds(120));
        if (headers.length > 0) {
            builder.headers(headers);
        }
        return key == null ? builder : builder.header("Authorization", "Bearer " + key);
    }
}
