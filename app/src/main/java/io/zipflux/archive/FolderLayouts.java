package io.zipflux.archive;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

import com.github.benmanes.caffeine.cache.AsyncCache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;

import org.springframework.stereotype.Component;

/**
 * The layouts of photo folders, cached while the folder is unchanged, so that HEAD, Range and the first
 * byte of a download stop costing a walk of the folder. A cached layout is used only after
 * {@link FolderChanges#catchUp} has proved that no change made before the request is still unseen, and
 * its watch has seen none. Concurrent requests for a folder being listed share one listing (one layout
 * in memory, not one per request), cached or not. Bounded by the total number of files held.
 */
@Component
class FolderLayouts {

    private static final Logger log = LoggerFactory.getLogger(FolderLayouts.class);

    /** How long a request waits for the watcher to catch up; past it the folder is listed again. */
    private static final Duration CATCH_UP = Duration.ofMillis(250);

    /**
     * A layout, the watch that keeps it true (null: not watched, never reused), and the folder's own file
     * key: a watch follows a directory, not its path, so a folder renamed away and another renamed into
     * its place shows only as a new key.
     */
    private record Cached(StoreLayout layout, FolderChanges.Watch watch, Object folderKey) {
    }

    private final PhotoFolders folders;

    private final FileIo fileIo;

    private final FolderChanges changes;

    private final AsyncCache<Path, Cached> cache;

    private final Map<Path, CompletableFuture<Cached>> inFlight = new ConcurrentHashMap<>();

    private final boolean caching;

    private final Counter listings;

    FolderLayouts(PhotoFolders folders, FileIo fileIo, FolderChanges changes, ArchiveProperties properties,
            MeterRegistry registry) {
        this.folders = folders;
        this.listings = Counter.builder("zipflux.archive.folder.listings")
                .description("Folder walks to lay out an archive (requests not served from the layout cache)")
                .register(registry);
        this.fileIo = fileIo;
        this.changes = changes;
        this.caching = changes.available() && properties.layoutCacheFiles() > 0;
        this.cache = Caffeine.newBuilder()
                .maximumWeight(Math.max(1, properties.layoutCacheFiles()))
                .<Path, Cached>weigher((folder, cached) -> cached.layout().count() + 1)
                .<Path, Cached>removalListener((folder, cached, cause) -> close(cached))
                .buildAsync();
    }

    /** The layout of {@code realFolder} as one request serves it. */
    Mono<ServedLayout> layout(Path realFolder) {
        return Mono.fromCallable(() -> caching ? cached(realFolder) : shared(realFolder))
                .subscribeOn(fileIo.scheduler())
                .flatMap(Mono::fromFuture)
                .map(this::served);
    }

    private CompletableFuture<Cached> cached(Path folder) throws IOException {
        boolean caughtUp = changes.catchUp(CATCH_UP);
        Object folderKey = folderKey(folder);
        CompletableFuture<Cached> present = cache.getIfPresent(folder);
        if (present != null && present.isDone() && !present.isCompletedExceptionally()
                && stale(present.join(), caughtUp, folderKey)) {
            cache.asMap().remove(folder, present);
        }
        CompletableFuture<Cached> layout = cache.get(folder, (key, executor) -> listed(key));
        layout.thenAccept(cached -> {
            if (cached.watch() == null) {
                cache.asMap().remove(folder, layout);
            }
        });
        return layout;
    }

    /** One listing of {@code folder} at a time: requests arriving while it runs get the same one. */
    private CompletableFuture<Cached> shared(Path folder) {
        CompletableFuture<Cached> mine = new CompletableFuture<>();
        CompletableFuture<Cached> running = inFlight.putIfAbsent(folder, mine);
        if (running != null) {
            return running;
        }
        listed(folder).whenComplete((cached, error) -> {
            inFlight.remove(folder, mine);
            if (error != null) {
                mine.completeExceptionally(error);
            }
            else {
                mine.complete(cached);
            }
        });
        return mine;
    }

    /** The folder listed on the file pool (a long walk must not hold the caller, nor a cache lock). */
    private CompletableFuture<Cached> listed(Path folder) {
        CompletableFuture<Cached> listed = new CompletableFuture<>();
        fileIo.scheduler().schedule(() -> {
            try {
                listed.complete(list(folder));
            }
            catch (IOException | RuntimeException ex) {
                listed.completeExceptionally(ex);
            }
        });
        return listed;
    }

    /** Whether a cached layout may no longer be true: unproved, changed, not watched, or another folder now. */
    private static boolean stale(Cached cached, boolean caughtUp, Object folderKey) {
        return !caughtUp || cached.watch() == null || cached.watch().changed() || !cached.folderKey().equals(folderKey);
    }

    private static Object folderKey(Path folder) throws IOException {
        Object key = Files.readAttributes(folder, BasicFileAttributes.class).fileKey();
        return key != null ? key : folder;
    }

    private Cached list(Path folder) throws IOException {
        listings.increment();
        Object folderKey = folderKey(folder);
        if (!caching) {
            return new Cached(StoreLayout.of(folders.list(folder, directory -> { })), null, folderKey);
        }
        FolderChanges.Watch watch = changes.open();
        try {
            return new Cached(StoreLayout.of(folders.list(folder, watch::add)), watch, folderKey);
        }
        catch (IOException ex) {
            watch.close();
            if (ex.getMessage() != null && ex.getMessage().contains("inotify")) {
                log.warn("Not caching the layout of {}: {}", folder, ex.getMessage());
                return new Cached(StoreLayout.of(folders.list(folder, directory -> { })), null, folderKey);
            }
            throw ex;
        }
        catch (RuntimeException ex) {
            watch.close();
            throw ex;
        }
    }

    private ServedLayout served(Cached cached) {
        FolderChanges.Watch watch = cached.watch();
        if (watch == null) {
            return ServedLayout.unwatched(cached.layout());
        }
        return new ServedLayout(cached.layout(), () -> changes.catchUp(CATCH_UP) && !watch.changed());
    }

    private static void close(Cached cached) {
        if (cached != null && cached.watch() != null) {
            cached.watch().close();
        }
    }
}
