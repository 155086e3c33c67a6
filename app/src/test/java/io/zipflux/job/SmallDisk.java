package io.zipflux.job;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real small filesystem for a data dir that fills up: a tmpfs of a few MB mounted by the test (root only; a
 * machine that cannot mount one fails the test naming what it needs, as DebianTools does for packages).
 */
public final class SmallDisk implements AutoCloseable {

    private final Path mountPoint;

    private SmallDisk(Path mountPoint) {
        this.mountPoint = mountPoint;
    }

    /** A tmpfs of {@code megabytes} MB mounted on a new directory. */
    public static SmallDisk mount(int megabytes) throws IOException, InterruptedException {
        Path mountPoint = Files.createTempDirectory("small-disk");
        run(List.of("mount", "-t", "tmpfs", "-o", "size=" + megabytes + "m", "tmpfs", mountPoint.toString()),
                "a full data disk is a real tmpfs of " + megabytes + " MB: run the tests as root (mount -t tmpfs)");
        return new SmallDisk(mountPoint);
    }

    public Path path() {
        return mountPoint;
    }

    /** Bytes the filesystem has free. */
    public long free() throws IOException {
        return Files.getFileStore(mountPoint).getUsableSpace();
    }

    private static void run(List<String> command, String need) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes());
        if (!process.waitFor(30, TimeUnit.SECONDS) || process.exitValue() != 0) {
            throw new IllegalStateException(need + "; " + String.join(" ", command) + " said: " + output.strip());
        }
    }

    @Override
    public void close() throws IOException, InterruptedException {
        run(List.of("umount", "-l", mountPoint.toString()), "unmounting the small disk");
        Files.deleteIfExists(mountPoint);
    }
}
