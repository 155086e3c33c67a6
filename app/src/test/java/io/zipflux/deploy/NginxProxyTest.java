package io.zipflux.deploy;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.OptionalLong;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.autoconfigure.actuate.observability.AutoConfigureObservability;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.core.env.Environment;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import io.zipflux.security.TestKeys;

import static org.assertj.core.api.Assertions.assertThat;

/** The nginx site from {@code deploy/}, run by a real nginx in front of the service: streaming, ranges, privacy. */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT, properties = {
        "zipflux.archive.chunk-size=16KB",
        "zipflux.archive.response-delay-enabled=true",
        "zipflux.archive.response-delay=40ms",
})
@AutoConfigureObservability(tracing = false)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class NginxProxyTest {

    /** About 2 MiB: with 16 KB chunks 40 ms apart, packing it takes about five seconds. */
    private static final List<String> ALBUM_FILES = List.of("a.jpg", "b.jpg", "sub/c.jpg", "sub/d.jpg");

    private static final int ALBUM_FILE_SIZE = 512 * 1024;

    private static final Path PHOTOS = photos();

    private static final byte[] LOCAL_HEADER = {'P', 'K', 3, 4};

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @LocalServerPort
    private int appPort;

    @Autowired
    private Environment environment;

    /** This test's own client key: metrics need a credential, whichever way they are asked for. */
    private String key;

    private NginxSite nginx;

    @TempDir
    Path downloads;

    @DynamicPropertySource
    static void photosDir(DynamicPropertyRegistry registry) {
        registry.add("zipflux.archive.photos-dir", PHOTOS::toString);
    }

    @BeforeAll
    void startNginx() throws Exception {
        key = TestKeys.client(environment, "nginx-proxy");
        nginx = NginxSite.start(appPort);
    }

    @AfterAll
    void stopNginxAndDeletePhotos() throws Exception {
        if (nginx != null) {
            nginx.close();
        }
        deleteRecursively(PHOTOS);
    }

    @Test
    void bytesReachClientBeforePackingEnds() throws Exception {
        TimedDownload download = downloadThroughNginx("/archive/album/");

        assertThat(download.status()).isEqualTo(200);
        assertThat(download.head()).isEqualTo(LOCAL_HEADER);
        assertThat(download.activeAtFirstBytes()).as("archive streams active when the first bytes arrived").isEqualTo(1.0);
        assertThat(download.firstBytesNanos()).as("time to first bytes vs whole download, ns")
                .isLessThan(download.totalNanos() / 3);
        assertThat(download.contentLength()).hasValue(Files.size(download.zip()));
        assertAlbumUnzipsFrom(download.zip());
    }

    @Test
    void clientDisconnectThroughNginxStopsPacking() throws Exception {
        HttpResponse<InputStream> response = http.send(request(nginxUri("/archive/album/")).build(),
                BodyHandlers.ofInputStream());
        try (InputStream body = response.body()) {
            assertThat(body.readNBytes(LOCAL_HEADER.length)).isEqualTo(LOCAL_HEADER);
            assertThat(activeStreams()).isEqualTo(1.0);
        }

        assertThat(activeStreamsWithin(Duration.ofSeconds(2))).as("archive streams active after the client left").isZero();
    }

    @Test
    void rangeThroughNginxReturnsTheRightSlice() throws Exception {
        byte[] whole = direct("/archive/ranges/").body();

        HttpResponse<byte[]> slice = viaNginx("/archive/ranges/", "Range", "bytes=50000-150000");

        assertThat(slice.statusCode()).isEqualTo(206);
        assertThat(slice.headers().firstValue("Content-Range")).hasValue("bytes 50000-150000/" + whole.length);
        assertThat(slice.body()).isEqualTo(Arrays.copyOfRange(whole, 50_000, 150_001));
    }

    @Test
    void ifRangeThroughNginxHonoursOnlyTheCurrentETag() throws Exception {
        HttpResponse<byte[]> whole = direct("/archive/ranges/");
        String etag = whole.headers().firstValue("ETag").orElseThrow();

        HttpResponse<byte[]> current = viaNginx("/archive/ranges/", "Range", "bytes=100-199", "If-Range", etag);
        HttpResponse<byte[]> stale = viaNginx("/archive/ranges/", "Range", "bytes=100-199", "If-Range", "\"stale\"");

        assertThat(current.statusCode()).isEqualTo(206);
        assertThat(current.body()).isEqualTo(Arrays.copyOfRange(whole.body(), 100, 200));
        assertThat(stale.statusCode()).isEqualTo(200);
        assertThat(stale.headers().firstValue("Content-Range")).isEmpty();
        assertThat(stale.body()).isEqualTo(whole.body());
    }

    @ParameterizedTest
    @ValueSource(strings = {"/actuator/prometheus", "/actuator;a=b/prometheus", "/actuator/prometheus;x",
        "/actuator", "/archive/..;/actuator/prometheus", "/%61ctuator/prometheus"})
    void prometheusIsNotServedThroughNginx(String path) throws Exception {
        assertThat(direct("/actuator/prometheus").body()).asString().contains("zipflux_archive_streams_active");

        HttpResponse<byte[]> response = viaNginx(path, "Authorization", "Bearer " + key);

        assertThat(response.statusCode()).isIn(403, 404);
        assertThat(response.body()).asString().doesNotContain("zipflux_");
    }

    @ParameterizedTest
    @ValueSource(strings = {"/", "/actuator/health", "/v3/api-docs"})
    void publicPagesAreServedThroughNginx(String path) throws Exception {
        assertThat(viaNginx(path).statusCode()).isEqualTo(200);
    }

    @ParameterizedTest
    @ValueSource(strings = {"/actuator/health", "/actuator/health/readiness"})
    void healthThroughNginxShowsNoDetailsEvenWithACredential(String path) throws Exception {
        assertThat(new String(direct(path).body())).as("direct, with a key").contains("\"details\"");

        HttpResponse<byte[]> response = viaNginx(path, "Authorization", "Bearer " + key);

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(new String(response.body())).contains("\"status\":\"UP\"").doesNotContain("details");
    }

    /** A download through nginx into a file, timed, with the service's active-streams gauge read at the first bytes. */
    private TimedDownload downloadThroughNginx(String path) throws IOException, InterruptedException {
        long start = System.nanoTime();
        HttpResponse<InputStream> response = http.send(request(nginxUri(path)).build(), BodyHandlers.ofInputStream());
        Path zip = downloads.resolve("download.zip");
        try (InputStream body = response.body(); OutputStream out = Files.newOutputStream(zip)) {
            byte[] head = body.readNBytes(LOCAL_HEADER.length);
            long firstBytesNanos = System.nanoTime() - start;
            double activeAtFirstBytes = activeStreams();
            out.write(head);
            body.transferTo(out);
            return new TimedDownload(response.statusCode(), response.headers().firstValueAsLong("Content-Length"), head,
                    zip, firstBytesNanos, System.nanoTime() - start, activeAtFirstBytes);
        }
    }

    private record TimedDownload(int status, OptionalLong contentLength, byte[] head, Path zip, long firstBytesNanos,
            long totalNanos, double activeAtFirstBytes) {
    }

    /** Every file of the album, byte for byte, read back with {@link ZipFile} (descriptors need the central directory). */
    private static void assertAlbumUnzipsFrom(Path zip) throws IOException {
        try (ZipFile archive = new ZipFile(zip.toFile())) {
            assertThat(archive.stream().map(ZipEntry::getName)).containsExactlyElementsOf(ALBUM_FILES);
            for (String name : ALBUM_FILES) {
                try (InputStream entry = archive.getInputStream(archive.getEntry(name))) {
                    assertThat(entry.readAllBytes()).as(name).isEqualTo(Files.readAllBytes(PHOTOS.resolve("album").resolve(name)));
                }
            }
        }
    }

    /** {@code zipflux_archive_streams_active}, read from the service itself (nginx does not expose it). */
    private double activeStreams() throws IOException, InterruptedException {
        String metrics = new String(direct("/actuator/prometheus").body());
        Matcher gauge = Pattern.compile("(?m)^zipflux_archive_streams_active(\\{[^}]*})? (\\S+)$").matcher(metrics);
        assertThat(gauge.find()).as("zipflux_archive_streams_active in /actuator/prometheus").isTrue();
        return Double.parseDouble(gauge.group(2));
    }

    /** The active-streams gauge once it reaches zero, or its last value when {@code timeout} runs out. */
    private double activeStreamsWithin(Duration timeout) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        double active = activeStreams();
        while (active > 0 && System.nanoTime() < deadline) {
            Thread.sleep(50);
            active = activeStreams();
        }
        return active;
    }

    private HttpResponse<byte[]> viaNginx(String path, String... headers) throws IOException, InterruptedException {
        return http.send(request(nginxUri(path), headers).build(), BodyHandlers.ofByteArray());
    }

    private HttpResponse<byte[]> direct(String path) throws IOException, InterruptedException {
        return http.send(request(URI.create("http://127.0.0.1:" + appPort + path), "Authorization", "Bearer " + key).build(),
                BodyHandlers.ofByteArray());
    }

    private URI nginxUri(String path) {
        return URI.create("http://127.0.0.1:" + nginx.port() + path);
    }

    private static HttpRequest.Builder request(URI uri, String... headers) {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30));
        return headers.length == 0 ? request : request.headers(headers);
    }

    /** {@code album/}: about 2 MiB of random bytes; {@code ranges/}: two small files, quick to pack. */
    private static Path photos() {
        try {
            Path root = Files.createTempDirectory("zipflux-nginx-photos");
            for (String name : ALBUM_FILES) {
                randomFile(root.resolve("album").resolve(name), ALBUM_FILE_SIZE);
            }
            randomFile(root.resolve("ranges/one.jpg"), 100_000);
            randomFile(root.resolve("ranges/two.jpg"), 120_000);
            return root;
        }
        catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }

    private static void randomFile(Path file, int size) throws IOException {
        byte[] bytes = new byte[size];
        new Random(file.getFileName().toString().hashCode()).nextBytes(bytes);
        Files.createDirectories(file.getParent());
        Files.write(file, bytes);
    }

    private static void deleteRecursively(Path root) throws IOException {
        try (Stream<Path> paths = Files.walk(root)) {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        }
    }
}
