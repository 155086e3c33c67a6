package io.zipflux.job.export;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.UUID;

import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

import org.springframework.stereotype.Component;

import io.zipflux.job.Job;
import io.zipflux.job.JobFiles;
import io.zipflux.system.DataDir;

/**
 * Export files under {@code <data-dir>/exports/}: a run writes {@code <job>.csv.part} and renames it
 * to {@code <job>.csv} once complete, so a download never sees a partial file.
 */
@Component
class ExportFiles implements JobFiles {

    private final Path folder;

    ExportFiles(DataDir dataDir) {
        this.folder = dataDir.folder("exports");
    }

    Path partOf(UUID jobId) {
        return folder.resolve(jobId + ".csv.part");
    }

    Path fileOf(UUID jobId) {
        return folder.resolve(jobId + ".csv");
    }

    /** The export's file, looked for on the bounded-elastic pool (never on an event loop); empty when it is not there. */
    Mono<Path> existing(UUID jobId) {
        return Mono.fromCallable(() -> Files.isRegularFile(fileOf(jobId)) ? fileOf(jobId) : null)
                .subscribeOn(Schedulers.boundedElastic());
    }

    /** Makes a complete run's file the export's; answers its size. */
    long complete(UUID jobId) throws IOException {
        Files.move(partOf(jobId), fileOf(jobId), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        return Files.size(fileOf(jobId));
    }

    @Override
    public String type() {
        return ExportWorker.TYPE;
    }

    @Override
    public Mono<Void> deleteFiles(Job job) {
        return delete(job.id());
    }

    /** Removes whatever a run of this job wrote. */
    Mono<Void> delete(UUID jobId) {
        return Mono.<Void>fromCallable(() -> {
            Files.deleteIfExists(partOf(jobId));
            Files.deleteIfExists(fileOf(jobId));
            return null;
        }).subscribeOn(Schedulers.boundedElastic());
    }
}
