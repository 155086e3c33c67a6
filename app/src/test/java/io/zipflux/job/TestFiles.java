package io.zipflux.job;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** Files for job tests, and their digests by coreutils (an independent implementation). */
public final class TestFiles {

    private TestFiles() {
    }

    /** A sparse file of {@code size} bytes with a marker in the middle, so its digests are not trivial. */
    public static Path sparse(Path file, long size) throws IOException {
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.setLength(size);
            raf.seek(size / 2);
            raf.write("in the middle".getBytes());
        }
        return file;
    }

    /** The hex digest printed by {@code md5sum} or {@code sha256sum}. */
    public static String coreutils(String command, Path file) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command, file.toString()).start();
        String output = new String(process.getInputStream().readAllBytes());
        assertThat(process.waitFor()).as(command).isZero();
        return output.split(" ")[0];
    }
}
