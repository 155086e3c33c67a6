package io.zipflux.job.urlarchive;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import io.zipflux.job.SmallDisk;

import static org.assertj.core.api.Assertions.assertThat;

/** A url-archive whose files do not fit on the data disk (a real 2 MB tmpfs) fails saying so, and leaves nothing. */
class UrlArchiveDiskFullTest extends OriginTests {

    private static SmallDisk disk;

    @DynamicPropertySource
    static void dataDir(DynamicPropertyRegistry registry) throws Exception {
        disk = SmallDisk.mount(2);
        registry.add("zipflux.data-dir", () -> disk.path().toString());
    }

    @AfterAll
    static void unmount() throws Exception {
        disk.close();
    }

    @Test
    void archiveLargerThanTheFreeSpaceFailsNamingItAndLeavesNoFiles() throws Exception {
        origin.file("large.bin", 3 * MIB);
        origin.file("small.bin", 100_000);
        String id = archives().start(UrlArchives.entries(origin.url("large.bin")));

        JsonNode failed = archives().await(id, "FAILED");

        assertThat(failed.get("error").asText()).isEqualTo("no space left on the data disk for url-archive " + id
                + "; nothing of it was kept");
        Path folder = disk.path().resolve("url-archives").resolve(id);
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (Files.exists(folder) && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertThat(folder).doesNotExist();
        assertThat(archives().succeed(UrlArchives.entries(origin.url("small.bin"))).get("result").get("files").asInt())
                .as("the same disk takes an archive that fits").isEqualTo(1);
    }
}
