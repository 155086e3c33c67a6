package io.zipflux.archive;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.Map;

import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A folder's layout is listed once and reused while the folder is unchanged; any change, made right
 * after a request (well under a second before the next), gives the next request a new, correct layout.
 */
@ArchiveServiceTest
class LayoutCacheTest {

    @LocalServerPort
    private int port;

    @Autowired
    private MeterRegistry registry;

    /** The kinds of change a folder can go through, each applied to the album of {@link #album}. */
    enum Change {
        FILE_ADDED(folder -> TestPhotos.randomFile(folder, "added.jpg", 3000)),
        FILE_REMOVED(folder -> Files.delete(folder.resolve("b.jpg"))),
        FILE_REWRITTEN_SAME_SIZE(folder -> overwrite(folder.resolve("a.jpg"))),
        FILE_TOUCHED(folder -> Files.setLastModifiedTime(folder.resolve("a.jpg"), FileTime.fromMillis(1_600_000_000_000L))),
        FILE_ADDED_IN_SUB_FOLDER(folder -> TestPhotos.randomFile(folder, "sub/deeper.jpg", 2000)),
        SUB_FOLDER_RENAMED(folder -> Files.move(folder.resolve("sub"), folder.resolve("renamed"))),
        SUB_FOLDER_CREATED_WITH_A_FILE(folder -> TestPhotos.randomFile(folder, "new/one.jpg", 1500)),
        FILE_REPLACED_BY_RENAME(folder -> {
            Path staged = TestPhotos.file(folder.resolveSibling(folder.getFileName() + "-staging"), "a.jpg",
                    new byte[5000]);
            Files.move(staged, folder.resolve("a.jpg"), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        }),
        FOLDER_REPLACED_BY_RENAME(folder -> {
            Path other = TestPhotos.folder(folder.getFileName() + "-other");
            TestPhotos.randomFile(other, "only.jpg", 4000);
            Files.move(folder, folder.resolveSibling(folder.getFileName() + "-old"));
            Files.move(other, folder);
        });

        private final Applying applying;

        Change(Applying applying) {
            this.applying = applying;
        }

        interface Applying {
            void to(Path folder) throws IOException;
        }
    }

    @Test
    void anUnchangedFolderIsListedOnceForManyRequests() throws Exception {
        album("unchanged-layout");
        ArchiveClient client = new ArchiveClient(port);
        Snapshot first = snapshot(client, "unchanged-layout");
        double listed = listings();

        for (int i = 0; i < 5; i++) {
            assertThat(client.head("/archive/unchanged-layout/").headers().firstValue("ETag")).hasValue(first.etag);
            client.get("/archive/unchanged-layout/", "Range", "bytes=0-99");
        }

        assertThat(listings()).isEqualTo(listed);
        assertThat(snapshot(client, "unchanged-layout").entries).isEqualTo(first.entries);
    }

    @ParameterizedTest
    @EnumSource(Change.class)
    void aChangeRightAfterARequestGivesTheNextOneANewCorrectLayout(Change change) throws Exception {
        String hash = "changing-" + change.name().toLowerCase().replace('_', '-');
        Path folder = album(hash);
        ArchiveClient client = new ArchiveClient(port);
        Snapshot before = snapshot(client, hash);
        assertThat(before.entries).isEqualTo(ZipReaders.expected(folder));
        double listed = listings();

        long changedAt = System.nanoTime();
        change.applying.to(folder);
        HttpResponse<Void> head = client.head("/archive/" + hash + "/");
        Snapshot after = snapshot(client, hash);

        assertThat(Duration.ofNanos(System.nanoTime() - changedAt)).isLessThan(Duration.ofSeconds(1));
        assertThat(after.entries).isEqualTo(ZipReaders.expected(folder));
        assertThat(after.etag).isNotEqualTo(before.etag);
        assertThat(head.headers().firstValue("ETag")).hasValue(after.etag);
        assertThat(head.headers().firstValueAsLong("Content-Length")).hasValue(after.length);
        assertThat(listings()).as("the change was listed anew").isGreaterThan(listed);
    }

    private static Path album(String hash) {
        Path folder = TestPhotos.folder(hash);
        TestPhotos.delete(folder.resolveSibling(hash + "-old"));
        TestPhotos.delete(folder.resolveSibling(hash + "-other"));
        TestPhotos.delete(folder.resolveSibling(hash + "-staging"));
        TestPhotos.randomFile(folder, "a.jpg", 5000);
        TestPhotos.randomFile(folder, "b.jpg", 7000);
        TestPhotos.randomFile(folder, "sub/c.jpg", 9000);
        return folder;
    }

    /** New bytes over the old, same size; the file's time is what the write sets. */
    private static void overwrite(Path file) throws IOException {
        byte[] bytes = new byte[(int) Files.size(file)];
        new java.util.Random(7).nextBytes(bytes);
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
            channel.write(ByteBuffer.wrap(bytes), 0);
        }
    }

    /** A whole download: its entries (name to MD5, every CRC checked by unzip), ETag and length. */
    private record Snapshot(Map<String, String> entries, String etag, long length) {
    }

    private static Snapshot snapshot(ArchiveClient client, String hash) throws Exception {
        Path zip = Files.createTempFile("zipflux-layout", ".zip");
        try {
            HttpResponse<Path> response = client.download("/archive/" + hash + "/", zip);
            assertThat(response.statusCode()).isEqualTo(200);
            ZipReaders.unzipTest(zip);
            return new Snapshot(ZipReaders.javaZip(zip), response.headers().firstValue("ETag").orElseThrow(),
                    Files.size(zip));
        }
        finally {
            Files.delete(zip);
        }
    }

    private double listings() {
        return registry.get("zipflux.archive.folder.listings").counter().count();
    }
}
