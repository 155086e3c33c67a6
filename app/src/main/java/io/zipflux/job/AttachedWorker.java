package io.zipflux.job;

import com.fasterxml.jackson.databind.JsonNode;
import reactor.core.publisher.Mono;

/**
 * Runs attached jobs of one type (see {@link AttachedJobs}): a stateless bean, like a {@link JobWorker},
 * whose every run gets the input that its request brought; whatever a run tracks it creates itself.
 *
 * @param <I> the input of a run
 */
public interface AttachedWorker<I> {

    /** The job type this worker runs. */
    String type();

    /** Runs the job on {@code input} to its result, calling {@link JobContext#checkpoint(long)} between steps. */
    Mono<JsonNode> run(Job job, I input, JobContext context);

    /** As {@link JobWorker#atomic()}. */
    default boolean atomic() {
        return false;
    }
}
