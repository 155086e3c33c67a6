package io.zipflux.archive;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;

import org.springframework.stereotype.Component;

/**
 * The path guard: turns an archive hash into its folder and the sorted listing of files it may serve, and
 * never a file outside the photos folder (traversal, encoded traversal, NUL and escaping symlinks all end
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

    /** The real path of the folder named by {@code hash}; else {@link ArchiveNotFoundException}. */
    Mono<Path> folder(String hash) {
        return guarded(hash, () -> realFolder(hash));
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

    /**
     * Lists {@code realFolder} (blocking: call on the file pool), sorted by name. Each directory is handed to
     * {@code watch} before it is read, so that a change made while the listing runs is not missed.
     */
    FolderListing list(Path realFolder, DirectoryWatch watch) throws IOException {
        FolderListing.Builder files = new FolderListing.Builder();
        walk(root.toRealPath(), realFolder, "", files, watch);
        return files.sorted(realFolder);
    }

    /** Told of every directory a listing reads, before it reads it. */
    interface DirectoryWatch {
        void add(Path directory) throws IOException;
    }

    /** Lists {@code directory}, whose entries are named {@code prefix} + their file name in the archive. */
    private void walk(Path realRoot, Path directory, String prefix, FolderListing.Builder files,
            DirectoryWatch watch) throws IOException {
        watch.add(directory);
        try (DirectoryStream<Path> paths = Files.newDirectoryStream(directory)) {
            for (Path path : paths) {
                BasicFileAttributes attributes = attributes(path);
                if (attributes == null) {
                    continue;
                }
                String name = prefix + path.getFileName();
                if (attributes.isDirectory()) {
                    walk(realRoot, path, name + "/", files, watch);
                }
                else if (attributes.isSymbolicLink()) {
                    linked(realRoot, name, path, files, watch);
                }
                else if (attributes.isRegularFile()) {
                    files.add(name, FileIdentity.of(attributes), null);
                }
            }
        }
    }

    /** A symlink to a regular file that stays inside the photos folder; its target's folder is watched too. */
    private void linked(Path realRoot, String name, Path link, FolderListing.Builder files, DirectoryWatch watch) {
        try {
            Path target = link.toRealPath();
            if (!target.startsWith(realRoot)) {
                log.warn("Skipping {}: it links outside the photos folder", link);
                return;
            }
            BasicFileAttributes attributes = Files.readAttributes(target, BasicFileAttributes.class,
                    LinkOption.NOFOLLOW_LINKS);
            if (attributes.isRegularFile()) {
                watch.add(target.getParent());
                files.add(name, FileIdentity.of(attributes), target);
            }
        }
        catch (IOException ex) {
            log.warn("Skipping {}: {}", link, ex.toString());
        }
    }

    private static BasicFileAttributes attributes(Path path) {
        try {
            return Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        }
        catch (IOException ex) {
            log.warn("Skipping {}: {}", path, ex.toString());
            return null;
        }
    }
}
