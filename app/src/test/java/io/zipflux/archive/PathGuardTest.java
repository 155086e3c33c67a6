package io.zipflux.archive;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;

/** Nothing outside the photos folder is ever served, and bad hashes get a clear 404. */
@ArchiveServiceTest
class PathGuardTest {

    private static final String SECRET = "TOP-SECRET-CONTENT";

    private static Path outside;

    @LocalServerPort
    private int port;

    @BeforeAll
    static void photos() throws Exception {
        outside = Files.createTempDirectory("zipflux-outside");
        Files.writeString(outside.resolve("secret.txt"), SECRET);
        TestPhotos.delete(TestPhotos.ROOT.resolve("escape"));
        Files.createSymbolicLink(TestPhotos.ROOT.resolve("escape"), outside);
        Path mixed = TestPhotos.folder("mixed");
        TestPhotos.file(mixed, "inside.txt", "fine".getBytes());
        Files.createSymbolicLink(mixed.resolve("leak.txt"), outside.resolve("secret.txt"));
        Files.createSymbolicLink(mixed.resolve("leak-dir"), outside);
        Path shared = TestPhotos.folder("shared");
        TestPhotos.file(shared, "shared.txt", "shared photo".getBytes());
        Files.createSymbolicLink(mixed.resolve("linked.txt"), shared.resolve("shared.txt"));
    }

    private ArchiveClient client() {
        return new ArchiveClient(port);
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "/archive/..%2F..%2Fetc/",
        "/archive/%2e%2e/",
        "/archive/%2E%2E%2Fzipflux-outside/",
        "/archive/..%5C..%5Cetc/",
        "/archive/a%00b/",
        "/archive/%00/",
        "/archive/.hidden/",
        "/archive/../escape/",
        "/archive/escape/",
        "/archive/does-not-exist/",
        "/archive/mixed%2Fleak-dir/",
    })
    void traversalAndUnknownHashesAreNotFound(String path) throws Exception {
        HttpResponse<byte[]> response = client().get(path);

        assertThat(response.statusCode()).isEqualTo(404);
        assertThat(response.headers().firstValue("Content-Type")).hasValue("application/problem+json");
        assertThat(new String(response.body(), StandardCharsets.UTF_8)).doesNotContain(SECRET).contains("\"status\":404");
    }

    @Test
    void browsersGetAnHtmlNotFoundPage() throws Exception {
        HttpResponse<byte[]> response = client().get("/archive/no-such-album/", "Accept", "text/html,application/xhtml+xml,*/*;q=0.8");

        assertThat(response.statusCode()).isEqualTo(404);
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(type -> assertThat(type).startsWith("text/html"));
        assertThat(new String(response.body(), StandardCharsets.UTF_8)).contains("<h1>Archive not found</h1>");
    }

    @Test
    void headOfAnUnknownHashIsNotFound() throws Exception {
        assertThat(client().head("/archive/no-such-album/").statusCode()).isEqualTo(404);
    }

    @Test
    void symlinksLeavingThePhotosFolderAreLeftOut() throws Exception {
        Path zip = client().downloadToTemp("/archive/mixed/");

        assertThat(ZipReaders.javaZip(zip)).containsOnlyKeys("inside.txt", "linked.txt");
        assertThat(new String(Files.readAllBytes(zip), StandardCharsets.ISO_8859_1)).doesNotContain(SECRET);
        ZipReaders.unzipTest(zip);
    }
}
