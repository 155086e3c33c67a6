package io.zipflux.archive;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Arrays;

import io.netty.buffer.PoolArenaMetric;
import io.netty.buffer.PooledByteBufAllocator;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Stored file data goes from the page cache to the socket with sendfile: a 64 MiB download takes a handful
 * of network buffers (headers and descriptors), where the same files deflated (which must pass through the
 * JVM) take over a thousand; the bytes are the archive's all the same.
 */
@ArchiveServiceTest
class ZeroCopyTest {

    private static final int FILE_BYTES = 16 << 20;

    private static Path album;

    @LocalServerPort
    private int port;

    @BeforeAll
    static void photos() {
        album = TestPhotos.folder("zero-copy");
        for (int i = 0; i < 4; i++) {
            TestPhotos.randomFile(album, "part-" + i + ".raw", FILE_BYTES);
        }
    }

    @Test
    void storedFileDataIsSentWithoutPassingThroughNetworkBuffers() throws Exception {
        ArchiveClient client = new ArchiveClient(port);
        client.head("/archive/zero-copy/");
        long before = directAllocations();
        long directBefore = PooledByteBufAllocator.DEFAULT.metric().usedDirectMemory();

        Path zip = client.downloadToTemp("/archive/zero-copy/");

        long zeroCopyAllocations = directAllocations() - before;
        long directAfter = PooledByteBufAllocator.DEFAULT.metric().usedDirectMemory();
        assertThat(java.nio.file.Files.size(zip)).isGreaterThan(4L * FILE_BYTES);
        assertThat(ZipReaders.javaZip(zip)).isEqualTo(ZipReaders.expected(album));
        assertThat(zeroCopyAllocations).as("direct buffers taken to send 64 MiB of stored files").isLessThan(64);
        assertThat(directAfter - directBefore).as("direct memory grown while sending 64 MiB").isLessThan(4L << 20);

        long deflateBefore = directAllocations();
        HttpResponse<byte[]> deflated = client.get("/archive/zero-copy/?compression=deflate");
        long copyingAllocations = directAllocations() - deflateBefore;
        assertThat(deflated.statusCode()).isEqualTo(200);
        assertThat(copyingAllocations).as("positive control: deflate reads every byte into buffers")
                .isGreaterThan(500);
    }

    @Test
    void aRangeOfFileDataIsSentTheSameWay() throws Exception {
        ArchiveClient client = new ArchiveClient(port);
        byte[] whole = client.get("/archive/zero-copy/").body();
        long before = directAllocations();

        HttpResponse<byte[]> range = client.get("/archive/zero-copy/", "Range", "bytes=1000-40000000");

        assertThat(directAllocations() - before).isLessThan(64);
        assertThat(range.statusCode()).isEqualTo(206);
        assertThat(range.body()).isEqualTo(Arrays.copyOfRange(whole, 1000, 40_000_001));
    }

    /** Direct buffers the shared Netty allocator has handed out from its arenas (its thread caches hold only small ones). */
    private static long directAllocations() {
        return PooledByteBufAllocator.DEFAULT.metric().directArenas().stream()
                .mapToLong(PoolArenaMetric::numAllocations)
                .sum();
    }
}
