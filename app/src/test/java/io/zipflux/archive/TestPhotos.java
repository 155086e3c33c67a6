package io.zipflux.archive;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Comparator;
import java.util.Random;
import java.util.stream.Stream;

/** Builds photo folders under the photos dir every {@link ArchiveServiceTest} serves. */
final class TestPhotos {

    static final Path ROOT = fresh(Path.of(System.getProperty("java.io.tmpdir"), "zipflux-test-photos"));

    private TestPhotos() {
    }

    /** A new, empty folder for one archive. */
    static Path folder(String hash) {
        Path folder = ROOT.resolve(hash);
        delete(folder);
        return uncheck(() -> Files.createDirectories(folder));
    }

    /** A file of {@code size} pseudo-random bytes (seeded, so tests repeat) with a fixed mtime. */
    static Path randomFile(Path folder, String name, int size) {
        byte[] bytes = new byte[size];
        new Random(name.hashCode() * 31L + size).nextBytes(bytes);
        return file(folder, name, bytes);
    }

    static Path file(Path folder, String name, byte[] bytes) {
        Path file = folder.resolve(name);
        return uncheck(() -> {
            Files.createDirectories(file.getParent());
            Files.write(file, bytes);
            return Files.setLastModifiedTime(file, FileTime.fromMillis(1_700_000_000_000L));
        });
    }

    /** A new folder of four sparse files of 16 MiB: a 64 MiB archive that costs no disk. */
    static Path sparseAlbum(String hash) {
        Path album = folder(hash);
        for (int i = 0; i < 4; i++) {
            sparseFile(album, "part-" + i + ".raw", 16L << 20);
        }
        return album;
    }

    /** A sparse file: {@code size} bytes, mostly holes, with a marker at the end so its CRC is not trivial. */
    static Path sparseFile(Path folder, String name, long size) {
        Path file = folder.resolve(name);
        return uncheck(() -> {
            try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
                raf.setLength(size);
                raf.seek(size - 8);
                raf.write("zipflux!".getBytes());
            }
            return file;
        });
    }

    static void delete(Path path) {
        if (!Files.exists(path, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(path)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> uncheck(() -> {
                Files.delete(p);
                return p;
            }));
        }
        catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }

    private static Path fresh(Path root) {
        delete(root);
        return uncheck(() -> Files.createDirectories(root));
    }

    interface IoCall<T> {
        T call() throws IOException;
    }

    static <T> T uncheck(IoCall<T> call) {
        try {
            return call.call();
        }
        catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }
}
