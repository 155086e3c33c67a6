package io.zipflux.archive;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Arrays;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;

/** Range requests on stored archives: exact slices, resume, If-Range and the unsatisfiable cases. */
@ArchiveServiceTest
class ArchiveRangeTest {

    private static final String ALBUM = "/archive/ranges/";

    @LocalServerPort
    private int port;

    @BeforeAll
    static void photos() {
        Path folder = TestPhotos.folder("ranges");
        TestPhotos.randomFile(folder, "a.jpg", 100_000);
        TestPhotos.randomFile(folder, "b/b.jpg", 250_001);
        TestPhotos.file(folder, "c-empty.txt", new byte[0]);
        TestPhotos.randomFile(folder, "d.jpg", 70_000);
    }

    private ArchiveClient client() {
        return new ArchiveClient(port);
    }

    private byte[] whole() throws Exception {
        return client().get(ALBUM).body();
    }

    @ParameterizedTest(name = "bytes={0}-{1}")
    @CsvSource({
        "0, 0",            // first byte of the first local header
        "0, 29",           // inside the first local header
        "10, 60000",       // header into the middle of a file
        "50000, 99999",    // inside a file, never its start: CRC comes from the cache
        "100030, 100060",  // around the first data descriptor
        "120000, 400000",  // across several entries
        "400000, 420000",  // inside the last file, into the central directory
    })
    void rangeRequestReturnsExactSlice(long first, long last) throws Exception {
        byte[] whole = whole();
        HttpResponse<byte[]> response = client().get(ALBUM, "Range", "bytes=" + first + "-" + last);

        assertThat(response.statusCode()).isEqualTo(206);
        assertThat(response.headers().firstValue("Content-Range"))
                .hasValue("bytes " + first + "-" + last + "/" + whole.length);
        assertThat(response.headers().firstValueAsLong("Content-Length")).hasValue(last - first + 1);
        assertThat(response.body()).isEqualTo(Arrays.copyOfRange(whole, (int) first, (int) last + 1));
    }

    @Test
    void rangeInsideTheCentralDirectoryOfAFreshFolderIsExact() throws Exception {
        Path folder = TestPhotos.folder("fresh-tail");
        TestPhotos.randomFile(folder, "one.jpg", 200_000);
        TestPhotos.randomFile(folder, "two.jpg", 300_000);
        HttpResponse<byte[]> tail = client().get("/archive/fresh-tail/", "Range", "bytes=-100");

        byte[] whole = client().get("/archive/fresh-tail/").body();

        assertThat(tail.statusCode()).isEqualTo(206);
        assertThat(tail.body()).isEqualTo(Arrays.copyOfRange(whole, whole.length - 100, whole.length));
    }

    @Test
    void openEndedRangeReturnsTheRest() throws Exception {
        byte[] whole = whole();
        HttpResponse<byte[]> response = client().get(ALBUM, "Range", "bytes=300000-");

        assertThat(response.statusCode()).isEqualTo(206);
        assertThat(response.body()).isEqualTo(Arrays.copyOfRange(whole, 300_000, whole.length));
    }

    @Test
    void resumedDownloadEqualsTheWholeArchive() throws Exception {
        byte[] whole = whole();
        String etag = client().head(ALBUM).headers().firstValue("ETag").orElseThrow();
        byte[] start = client().get(ALBUM, "Range", "bytes=0-123456").body();

        byte[] rest = client().get(ALBUM, "Range", "bytes=123457-", "If-Range", etag).body();

        byte[] joined = Arrays.copyOf(start, start.length + rest.length);
        System.arraycopy(rest, 0, joined, start.length, rest.length);
        assertThat(joined).isEqualTo(whole);
    }

    @Test
    void staleIfRangeSendsTheWholeArchive() throws Exception {
        HttpResponse<byte[]> response = client().get(ALBUM, "Range", "bytes=100-200", "If-Range", "\"stale\"");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEqualTo(whole());
    }

    @Test
    void ifRangeWithTheLastModifiedDateIsHonoured() throws Exception {
        String lastModified = client().head(ALBUM).headers().firstValue("Last-Modified").orElseThrow();

        HttpResponse<byte[]> matching = client().get(ALBUM, "Range", "bytes=100-200", "If-Range", lastModified);
        HttpResponse<byte[]> older = client().get(ALBUM, "Range", "bytes=100-200",
                "If-Range", "Tue, 01 Jan 2019 00:00:00 GMT");

        assertThat(matching.statusCode()).isEqualTo(206);
        assertThat(older.statusCode()).isEqualTo(200);
    }

    @Test
    void rangePastTheEndIsUnsatisfiable() throws Exception {
        int length = whole().length;
        HttpResponse<byte[]> response = client().get(ALBUM, "Range", "bytes=" + length + "-");

        assertThat(response.statusCode()).isEqualTo(416);
        assertThat(response.headers().firstValue("Content-Range")).hasValue("bytes */" + length);
    }

    @Test
    void severalRangesOrAMalformedRangeSendTheWholeArchive() throws Exception {
        byte[] whole = whole();

        HttpResponse<byte[]> several = client().get(ALBUM, "Range", "bytes=0-10,20-30");
        HttpResponse<byte[]> malformed = client().get(ALBUM, "Range", "bytes=abc");

        assertThat(several.statusCode()).isEqualTo(200);
        assertThat(several.body()).isEqualTo(whole);
        assertThat(malformed.statusCode()).isEqualTo(200);
    }

    @Test
    void headWithARangeAnswersItsHeaders() throws Exception {
        HttpResponse<Void> response = client().head(ALBUM, "Range", "bytes=10-19");

        assertThat(response.statusCode()).isEqualTo(206);
        assertThat(response.headers().firstValueAsLong("Content-Length")).hasValue(10);
    }
}
