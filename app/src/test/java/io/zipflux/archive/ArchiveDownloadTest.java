package io.zipflux.archive;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;

/** Whole-archive downloads, checked byte for byte by independent zip readers. */
@ArchiveServiceTest
class ArchiveDownloadTest {

    private static Path album;

    @LocalServerPort
    private int port;

    @BeforeAll
    static void photos() {
        album = TestPhotos.folder("album-2024");
        TestPhotos.randomFile(album, "beach.jpg", 300_000);
        TestPhotos.randomFile(album, "nested/deeper/sunset.raw", 1_048_579);
        TestPhotos.randomFile(album, "Ünïcødé фото ✓.jpg", 12_345);
        TestPhotos.file(album, "empty.txt", new byte[0]);
        TestPhotos.file(album, "notes.txt", "hello, zip\n".repeat(1000).getBytes());
        TestPhotos.folder("empty-album");
    }

    private ArchiveClient client() {
        return new ArchiveClient(port);
    }

    @Test
    void storedArchiveHasExactLengthAndDownloadHeaders() throws Exception {
        HttpResponse<byte[]> response = client().get("/archive/album-2024/");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).hasValue("application/zip");
        assertThat(response.headers().firstValue("Content-Disposition"))
                .hasValue("attachment; filename=\"album-2024.zip\"");
        assertThat(response.headers().firstValue("Accept-Ranges")).hasValue("bytes");
        assertThat(response.headers().firstValue("ETag")).hasValueSatisfying(tag -> assertThat(tag).matches("\"[0-9a-f]{32}\""));
        assertThat(response.headers().firstValueAsLong("Content-Length")).hasValue(response.body().length);
    }

    @Test
    void storedArchivePassesFourIndependentReaders() throws Exception {
        Path zip = client().downloadToTemp("/archive/album-2024/");
        Map<String, String> expected = ZipReaders.expected(album);

        ZipReaders.unzipTest(zip);
        ZipReaders.sevenZipTest(zip);
        assertThat(ZipReaders.python(zip)).isEqualTo(expected);
        assertThat(ZipReaders.javaZip(zip)).isEqualTo(expected);
    }

    @Test
    void slashAfterHashIsOptional() throws Exception {
        byte[] withSlash = client().get("/archive/album-2024/").body();
        byte[] without = client().get("/archive/album-2024").body();

        assertThat(without).isEqualTo(withSlash);
    }

    @Test
    void twoDownloadsOfAnUnchangedFolderAreByteIdentical() throws Exception {
        HttpResponse<byte[]> first = client().get("/archive/album-2024/");
        HttpResponse<byte[]> second = client().get("/archive/album-2024/");

        assertThat(second.body()).isEqualTo(first.body());
        assertThat(second.headers().firstValue("ETag")).isEqualTo(first.headers().firstValue("ETag"));
    }

    @Test
    void changingAFileChangesTheEtag() throws Exception {
        Path folder = TestPhotos.folder("changing");
        TestPhotos.randomFile(folder, "a.jpg", 1000);
        String before = client().head("/archive/changing/").headers().firstValue("ETag").orElseThrow();

        TestPhotos.randomFile(folder, "a.jpg", 1001);
        String after = client().head("/archive/changing/").headers().firstValue("ETag").orElseThrow();

        assertThat(after).isNotEqualTo(before);
    }

    @Test
    void headAnswersTheSameHeadersWithoutABody() throws Exception {
        HttpResponse<byte[]> get = client().get("/archive/album-2024/");
        HttpResponse<Void> head = client().head("/archive/album-2024/");

        assertThat(head.statusCode()).isEqualTo(200);
        for (String name : new String[] {"Content-Length", "Content-Type", "ETag", "Accept-Ranges", "Content-Disposition"}) {
            assertThat(head.headers().firstValue(name)).as(name).isEqualTo(get.headers().firstValue(name));
        }
    }

    @Test
    void emptyFolderGivesAValidEmptyArchive() throws Exception {
        HttpResponse<byte[]> response = client().get("/archive/empty-album/");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).hasSize(22).startsWith(0x50, 0x4b, 0x05, 0x06);
        Path zip = Files.write(Files.createTempFile("empty", ".zip"), response.body());
        assertThat(ZipReaders.python(zip)).isEmpty();
        assertThat(ZipReaders.javaZip(zip)).isEmpty();
    }

    @Test
    void deflatedArchiveIsChunkedAndPassesIndependentReaders() throws Exception {
        HttpResponse<byte[]> response = client().get("/archive/album-2024/?compression=deflate");
        Path zip = Files.write(Files.createTempFile("deflated", ".zip"), response.body());
        Map<String, String> expected = ZipReaders.expected(album);

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Length")).isEmpty();
        assertThat(response.headers().firstValue("Transfer-Encoding")).hasValue("chunked");
        assertThat(response.body().length).isLessThan(Math.toIntExact(Files.size(client().downloadToTemp("/archive/album-2024/"))));
        ZipReaders.unzipTest(zip);
        ZipReaders.sevenZipTest(zip);
        assertThat(ZipReaders.python(zip)).isEqualTo(expected);
        assertThat(ZipReaders.javaZip(zip)).isEqualTo(expected);
    }

    @Test
    void deflatedArchiveIgnoresRanges() throws Exception {
        HttpResponse<byte[]> response = client().get("/archive/album-2024/?compression=deflate", "Range", "bytes=0-9");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Accept-Ranges")).hasValue("none");
        assertThat(response.body().length).isGreaterThan(10);
    }

    @Test
    void unknownCompressionIsABadRequestThatSaysWhy() throws Exception {
        HttpResponse<byte[]> response = client().get("/archive/album-2024/?compression=lzma");

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(response.headers().firstValue("Content-Type")).hasValue("application/problem+json");
        assertThat(new String(response.body())).contains("compression must be 'store' or 'deflate'");
    }
}
