package io.zipflux.archive;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;

/** Archives past the classic zip limits: more than 65,535 entries, and a file over 4 GiB. */
@ArchiveServiceTest
class Zip64Test {

    private static final int MANY = 66_000;

    private static final long HUGE = (4L << 30) + 12_345;

    @LocalServerPort
    private int port;

    @BeforeAll
    static void photos() {
        Path many = TestPhotos.folder("many-entries");
        for (int i = 0; i < MANY; i++) {
            TestPhotos.file(many, String.format("d%02d/f%05d.txt", i % 50, i), Integer.toString(i).getBytes());
        }
        Path huge = TestPhotos.folder("huge-file");
        TestPhotos.randomFile(huge, "before.jpg", 1000);
        TestPhotos.sparseFile(huge, "huge.raw", HUGE);
        TestPhotos.randomFile(huge, "z-after.jpg", 1000);
    }

    @AfterAll
    static void cleanUp() {
        TestPhotos.delete(TestPhotos.ROOT.resolve("many-entries"));
        TestPhotos.delete(TestPhotos.ROOT.resolve("huge-file"));
    }

    @Test
    void moreThan65535EntriesUseZip64EndRecords() throws Exception {
        Path zip = new ArchiveClient(port).downloadToTemp("/archive/many-entries/");
        try {
            Map<String, String> python = ZipReaders.python(zip);
            assertThat(python).hasSize(MANY).containsEntry("d07/f00007.txt", ZipReaders.md5(new java.io.ByteArrayInputStream("7".getBytes())));
            assertThat(ZipReaders.javaZip(zip)).hasSize(MANY);
            ZipReaders.unzipTest(zip);
        }
        finally {
            Files.delete(zip);
        }
    }

    @Test
    void fileOverFourGigabytesIsStoredWithZip64Sizes() throws Exception {
        ArchiveClient client = new ArchiveClient(port);
        HttpResponse<Void> head = client.head("/archive/huge-file/");
        Path zip = client.downloadSparse("/archive/huge-file/");
        try {
            assertThat(Files.size(zip)).isEqualTo(head.headers().firstValueAsLong("Content-Length").orElseThrow())
                    .isGreaterThan(HUGE);
            // Python reads the 4 GiB entry to its end (seek reads forward), so it checks the CRC too.
            String listing = ZipReaders.run(ZipReaders.python3(), "-c", """
                    import sys, zipfile
                    z = zipfile.ZipFile(sys.argv[1])
                    info = z.getinfo('huge.raw')
                    with z.open(info) as f:
                        f.seek(info.file_size - 8)
                        print(info.file_size, f.read().decode(), z.read('z-after.jpg').__len__())
                    """, zip.toString());
            assertThat(listing.trim()).isEqualTo(HUGE + " zipflux! 1000");
        }
        finally {
            Files.delete(zip);
        }
    }
}
