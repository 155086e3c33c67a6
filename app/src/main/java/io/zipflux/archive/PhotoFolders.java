package io.zipflux.archive;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;

import org.springframework.stereotype.Component;

/**
 * The path guard: turns an archive hash into the sorted list of files it may serve, and never a
 * file outside the photos folder (traversal, encoded traversal, NUL and escaping symlinks all end
 * in {@link ArchiveNotFoundException}).
 */
@Component
class PhotoFolders {

    private static final Logger log = LoggerFactory.getLogger(PhotoFolders.class);

    /** Letters, digits, '-', '_' and inner dots; no separators, no "..", at most 128 characters. */
    private static final Pattern HASH = Pattern.compile("[A-Za-z0-9_-]+(\\.[A-Za-z0-9_-]+)*");

    private final Path root;

    private final Scheduler fileIo;

    PhotoFolders(ArchiveProperties properties, FileIo fileIo) {
        this.root = properties.photosDir().toAbsolutePath().normalize();
        this.fileIo = fileIo.scheduler();
    }

    /** The files of the folder named by {@code hash}, sorted by name; empty folders give an empty list. */
    Mono<List<ArchiveEntry>> list(String hash) {
        return guarded(hash, () -> {
            Optional<Path> folder = realFolder(hash);
            return folder.isPresent() ? Optional.of(listFolder(folder.get())) : Optional.empty();
        });
    }

    /** Completes when the folder named by {@code hash} exists, without listing it; else {@link ArchiveNotFoundException}. */
    Mono<Void> exists(String hash) {
        return guarded(hash, () -> realFolder(hash))
                .then();
    }

    private <T> Mono<T> guarded(String hash, Callable<Optional<T>> lookUp) {
        if (hash.length() > 128 || !HASH.matcher(hash).matches()) {
            return Mono.error(new ArchiveNotFoundException(hash));
        }
        return Mono.fromCallable(lookUp)
                .subscribeOn(fileIo)
                .flatMap(Mono::justOrEmpty)
                .switchIfEmpty(Mono.error(() -> new ArchiveNotFoundException(hash)));
    }

    /** The real path of the folder, when it is a folder inside the photos folder. */
    private Optional<Path> realFolder(String hash) throws IOException {
        if (!Files.isDirectory(root)) {
            return Optional.empty();
        }
        Path folder = root.resolve(hash);
        if (!Files.isDirectory(folder) || !folder.toRealPath().startsWith(root.toRealPath())) {
            return Optional.empty();
        }
        return Optional.of(folder.toRealPath());
    }

    private List<ArchiveEntry> listFolder(Path realFolder) throws IOException {
        try (Stream<Path> paths = Files.walk(realFolder)) {
            Path realRoot = root.toRealPath();
            return paths
                    .filter(path -> !path.equals(realFolder))
                    .map(path -> toEntry(realRoot, realFolder, path))
                    .flatMap(Optional::stream)
                    .sorted(Comparator.comparing(ArchiveEntry::name))
                    .toList();
        }
        catch (UncheckedIOException ex) {
            throw ex.getCause();
        }
    }

    /** A regular file, or a symlink to a regular file that stays inside the photos folder. */
    private Optional<ArchiveEntry> toEntry(Path realRoot, Path folder, Path path) {
        try {
            Path target = Files.isSymbolicLink(path) ? path.toRealPath() : path;
            if (!target.startsWith(realRoot)) {
                log.warn("Skipping {}: it links outside the photos folder", path);
                return Optional.empty();
            }
            BasicFileAttributes attributes = Files.readAttributes(target, BasicFileAttributes.class,
                    LinkOption.NOFOLLOW_LINKS);
            if (!attributes.isRegularFile()) {
                return Optional.empty();
            }
            String name = folder.relativize(path).toString().replace(path.getFileSystem().getSeparator(), "/");
            return Optional.of(new ArchiveEntry(name, target, attributes.size(),
                    attributes.lastModifiedTime().toMillis()));
        }
        catch (IOException ex) {
            log.warn("Skipping {}: {}", path, ex.toString());
            return Optional.empty();
        }
    }

}
