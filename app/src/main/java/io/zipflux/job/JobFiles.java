package io.zipflux.job;

import reactor.core.publisher.Mono;

/**
 * The files that jobs of one type keep in the data folder, known by the type's own package: retention
 * removes them before it deletes the job. A type without files (CSV import) has no such bean.
 */
public interface JobFiles {

    /** The job type whose files these are. */
    String type();

    /**
     * Removes every file of {@code job}, on a bounded blocking pool; a file already gone is fine, a file
     * that cannot be removed is an error (the job is then kept for a later try).
     */
    Mono<Void> deleteFiles(Job job);
}
