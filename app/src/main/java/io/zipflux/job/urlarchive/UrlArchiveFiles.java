package io.zipflux.job.urlarchive;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.stream.Stream;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import reactor.core.publisher.Mono;
import reactor.util.retry.Retry;
import reactor.core.scheduler.Schedulers;

import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;
import org.springframework.web.ErrorResponseException;

import io.zipflux.archive.ArchiveEntry;
import io.zipflux.job.Job;
import io.zipflux.job.JobFiles;
import io.zipflux.system.DataDir;

/**
 * The files of URL archives under {@code <data-dir>/url-archives/<job>/}: each entry's bytes in
 * {@code <n>.data} with a small sidecar {@code <n>.json} (validator, length, done) beside it, so that
 * any later run resumes what is on disk, and, once the job has succeeded, {@code manifest.json}
 * naming the entries of the zip in order. All file calls run on the bounded elastic pool.
 */
@Component
class UrlArchiveFiles implements JobFiles {

    /** What a run knows of one entry's origin, saved beside its bytes. */
    record Sidecar(String validator, Long length, String fileName, boolean done) {

        static final Sidecar NONE = new Sidecar(null, null, null, false);
    }

    /** An entry as found on disk: its sidecar and the bytes already there. */
    record OnDisk(Sidecar sidecar, long bytes) {
    }

    /** One file of a finished archive: its name in the zip and its entry number. */
    record ManifestEntry(String name, int entry) {
    }

    private final Path root;

    private final ObjectMapper json;

    UrlArchiveFiles(DataDir dataDir, ObjectMapper json) {
        this.root = dataDir.folder("url-archives");
        this.json = json;
    }

    Path folder(UUID jobId) {
        return root.resolve(jobId.toString());
    }

    Path data(UUID jobId, int entry) {
        return folder(jobId).resolve(entry + ".data");
    }

    private Path sidecar(UUID jobId, int entry) {
        return folder(jobId).resolve(entry + ".json");
    }

    Mono<Void> prepare(UUID jobId) {
        return io(() -> Files.createDirectories(folder(jobId))).then();
    }

    Mono<OnDisk> read(UUID jobId, int entry) {
        return io(() -> {
            Path sidecar = sidecar(jobId, entry);
            Path data = data(jobId, entry);
            Sidecar saved = Files.exists(sidecar) ? json.readValue(sidecar.toFile(), Sidecar.class) : Sidecar.NONE;
            return new OnDisk(saved, Files.exists(data) ? Files.size(data) : 0);
        });
    }

    /** Saves a sidecar whole or not at all (written aside, then renamed over the old one). */
    Mono<Void> save(UUID jobId, int entry, Sidecar sidecar) {
        return io(() -> {
            Path target = sidecar(jobId, entry);
            Path aside = target.resolveSibling(entry + ".json.tmp");
            json.writeValue(aside.toFile(), sidecar);
            return Files.move(aside, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        }).then();
    }

    /** Forgets an entry's bytes and sidecar (its origin changed, or it failed and is skipped). */
    Mono<Void> forget(UUID jobId, int entry) {
        return io(() -> Files.deleteIfExists(data(jobId, entry)) | Files.deleteIfExists(sidecar(jobId, entry))).then();
    }

    Mono<Void> saveManifest(UUID jobId, List<ManifestEntry> entries) {
        return io(() -> {
            Path target = folder(jobId).resolve("manifest.json");
            Path aside = folder(jobId).resolve("manifest.json.tmp");
            json.writeValue(aside.toFile(), entries);
            return Files.move(aside, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        }).then();
    }

    /** The zip entries of a succeeded job, in manifest order; 410 when its files are gone. */
    Mono<List<ArchiveEntry>> entries(UUID jobId) {
        return io(() -> {
            List<ManifestEntry> manifest = json.readValue(folder(jobId).resolve("manifest.json").toFile(),
                    new TypeReference<List<ManifestEntry>>() { });
            List<ArchiveEntry> entries = new ArrayList<>(manifest.size());
            for (ManifestEntry entry : manifest) {
                Path data = data(jobId, entry.entry());
                BasicFileAttributes attributes = Files.readAttributes(data, BasicFileAttributes.class);
                entries.add(new ArchiveEntry(entry.name(), data, attributes.size(), attributes.lastModifiedTime().toMillis()));
            }
            return entries;
        }).onErrorMap(error -> error.getCause() instanceof NoSuchFileException
                || error.getCause() instanceof FileNotFoundException, error -> gone(jobId));
    }

    @Override
    public String type() {
        return UrlArchiveWorker.TYPE;
    }

    @Override
    public Mono<Void> deleteFiles(Job job) {
        return delete(job.id());
    }

    /**
     * Removes every file of the job; walks again (a few times, backing off) when a write still under way
     * (a stopped transfer's last sidecar, say) adds a file or removes one during the walk.
     */
    Mono<Void> delete(UUID jobId) {
        return io(() -> {
            Path folder = folder(jobId);
            if (!Files.exists(folder)) {
                return null;
            }
            try (Stream<Path> paths = Files.walk(folder)) {
                for (Path path : (Iterable<Path>) paths.sorted(Comparator.reverseOrder())::iterator) {
                    Files.deleteIfExists(path);
                }
            }
            return null;
        }).retryWhen(Retry.backoff(5, Duration.ofMillis(50)).filter(UncheckedIOException.class::isInstance))
                .then();
    }

    private static <T> Mono<T> io(Callable<T> call) {
        return Mono.fromCallable(call)
                .onErrorMap(IOException.class, UncheckedIOException::new)
                .subscribeOn(Schedulers.boundedElastic());
    }

    private static ErrorResponseException gone(UUID jobId) {
        ErrorResponseException gone = new ErrorResponseException(HttpStatus.GONE);
        gone.getBody().setTitle("Archive files gone");
        gone.getBody().setDetail("Archive " + jobId + " succeeded, but its files are no longer in the data folder; "
                + "start a new one.");
        return gone;
    }
}
