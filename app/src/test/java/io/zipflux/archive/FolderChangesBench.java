package io.zipflux.archive;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * How long {@link FolderChanges#catchUp} and {@link FolderChanges.Watch#add} take; not a test. Run (after
 * {@code mvn -pl app test-compile} and {@code dependency:build-classpath -Dmdep.includeScope=test}):
 * {@code java -cp app/target/classes:app/target/test-classes:$(cat cp.txt) io.zipflux.archive.FolderChangesBench}
 */
final class FolderChangesBench {

    private static final int CALLS = 10_000;

    private static final int DIRECTORIES = 1_000;

    private static final Duration TIMEOUT = Duration.ofSeconds(5);

    public static void main(String[] args) throws IOException {
        Path top = Files.createTempDirectory("folder-changes-bench-");
        List<Path> directories = new ArrayList<>();
        for (int i = 0; i < DIRECTORIES; i++) {
            directories.add(Files.createDirectories(top.resolve("d" + i)));
        }
        FolderChanges changes = new FolderChanges(true);
        try {
            FolderChanges.Watch watch = changes.open();
            long start = System.nanoTime();
            for (Path directory : directories) {
                watch.add(directory);
            }
            System.out.printf("add: %.1f µs per directory (%d)%n",
                    (System.nanoTime() - start) / 1e3 / DIRECTORIES, DIRECTORIES);

            report("catchUp, nothing changed, " + DIRECTORIES + " directories watched", changes, () -> { });
            int[] written = {0};
            report("catchUp right after a file was written in a watched directory", changes,
                    () -> Files.writeString(directories.get(written[0]++ % DIRECTORIES).resolve("f" + written[0]), "x"));

            start = System.nanoTime();
            watch.close();
            System.out.printf("close: %.1f µs per directory%n", (System.nanoTime() - start) / 1e3 / DIRECTORIES);
        } finally {
            changes.destroy();
            try (var paths = Files.walk(top)) {
                paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
            }
        }
    }

    private interface Change {
        void run() throws IOException;
    }

    private static void report(String what, FolderChanges changes, Change before) throws IOException {
        for (int i = 0; i < 1_000; i++) {
            before.run();
            changes.catchUp(TIMEOUT);
        }
        long[] nanos = new long[CALLS];
        for (int i = 0; i < CALLS; i++) {
            before.run();
            long start = System.nanoTime();
            if (!changes.catchUp(TIMEOUT)) {
                throw new IllegalStateException("catchUp timed out");
            }
            nanos[i] = System.nanoTime() - start;
        }
        Arrays.sort(nanos);
        System.out.printf("%s: median %.1f µs, p99 %.1f µs, max %.1f µs (%d calls)%n", what,
                nanos[CALLS / 2] / 1e3, nanos[CALLS * 99 / 100] / 1e3, nanos[CALLS - 1] / 1e3, CALLS);
    }
}
