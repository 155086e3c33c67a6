package io.zipflux.archive;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import org.springframework.boot.test.web.server.LocalServerPort;

import io.zipflux.system.RawConnection;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A file that changes while its archive is being sent never ends in a complete, wrong archive: the
 * response is cut short of its Content-Length, whether the file is rewritten before its turn, rewritten
 * while it is on the wire, or truncated while it is on the wire. Each against an unchanged control.
 */
@ArchiveServiceTest
class ChangedFileTest {

    private static final int FILE_BYTES = 16 << 20;

    private static final Pattern LENGTH = Pattern.compile("(?i)content-length: (\\d+)");

    @LocalServerPort
    private int port;

    @Test
    void anUnchangedFolderDownloadedTheSameWayCompletes() throws Exception {
        album("unchanged");
        Download download = stalledDownload("unchanged");

        assertThat(download.rest()).isEqualTo(download.length);
    }

    @Test
    void aFileRewrittenBeforeItsTurnCutsTheDownload() throws Exception {
        assertCutWhen("rewritten-later", folder -> overwriteInPlace(folder.resolve("c.raw")));
    }

    @Test
    void aFileRewrittenWhileOnTheWireCutsTheDownload() throws Exception {
        assertCutWhen("rewritten-now", folder -> overwriteInPlace(folder.resolve("a.raw")));
    }

    @Test
    void aFileTruncatedWhileOnTheWireCutsTheDownload() throws Exception {
        assertCutWhen("truncated-now", folder -> {
            try (FileChannel file = FileChannel.open(folder.resolve("a.raw"), StandardOpenOption.WRITE)) {
                file.truncate(FILE_BYTES / 2);
            }
        });
    }

    private interface Change {
        void to(Path folder) throws IOException;
    }

    /** A stalled download of a new album, {@code change} made to it, then read on: it ends short of its length. */
    private void assertCutWhen(String hash, Change change) throws IOException {
        Path folder = album(hash);
        Download download = stalledDownload(hash);

        change.to(folder);

        assertThat(download.rest()).isLessThan(download.length);
    }

    private static Path album(String hash) {
        Path folder = TestPhotos.folder(hash);
        for (String name : new String[] {"a.raw", "b.raw", "c.raw"}) {
            TestPhotos.randomFile(folder, name, FILE_BYTES);
        }
        return folder;
    }

    /** New bytes over the old ones, same size, the file's time left as the write sets it. */
    private static void overwriteInPlace(Path file) throws IOException {
        byte[] bytes = new byte[FILE_BYTES];
        new Random(42).nextBytes(bytes);
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
            channel.write(ByteBuffer.wrap(bytes), 0);
        }
    }

    /** A download whose client read its head and 256 KiB, then stopped reading: the first file is on the wire. */
    private Download stalledDownload(String hash) throws IOException {
        RawConnection connection = new RawConnection(port, 4096);
        connection.send(RawConnection.get("/archive/" + hash + "/"));
        String head = connection.head(Duration.ofSeconds(10));
        assertThat(head).startsWith("HTTP/1.1 200");
        Matcher length = LENGTH.matcher(head);
        assertThat(length.find()).isTrue();
        Download download = new Download(connection, Long.parseLong(length.group(1)));
        download.read(256 * 1024);
        return download;
    }

    /** The body of a download read so far. */
    private static final class Download {

        private final RawConnection connection;

        private final long length;

        private long read;

        Download(RawConnection connection, long length) {
            this.connection = connection;
            this.length = length;
        }

        void read(long count) throws IOException {
            byte[] buffer = new byte[8192];
            while (read < count) {
                int n = connection.read(buffer);
                assertThat(n).as("bytes before the server closed").isPositive();
                read += n;
            }
        }

        /** Reads on until the server closes the connection (or all is read): the body bytes read in all. */
        long rest() throws IOException {
            byte[] buffer = new byte[256 * 1024];
            try (connection) {
                while (read < length) {
                    int n = connection.read(buffer);
                    if (n < 0) {
                        break;
                    }
                    read += n;
                }
            }
            catch (IOException reset) {
                // a cut response may end in a reset rather than a close
            }
            return read;
        }
    }
}
