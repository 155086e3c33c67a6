package io.zipflux.job;

import com.fasterxml.jackson.databind.JsonNode;
import reactor.core.publisher.Mono;

/**
 * Runs jobs of one type. Runs may be repeated (after a lost instance), so a worker starts from its
 * parameters each time and writes nothing that a second run would duplicate.
 */
public interface JobWorker {

    /** The job type this worker runs, also its topic's suffix. */
    String type();

    /** Runs the job to its result, calling {@link JobContext#checkpoint(long)} between steps. */
    Mono<JsonNode> run(Job job, JobContext context);

    /**
     * Whether the run's database writes commit in one transaction with its success, or not at all (a
     * cancelled, failed or lost run leaves nothing behind). Such a worker's writes go through the
     * connection of the transaction it runs in. False by default.
     */
    default boolean atomic() {
        return false;
    }

    /**
     * Called once a run has ended with {@code outcome} (its state is saved): the place to remove
     * partial output of a failed or cancelled run, or inputs no run needs any more. Nothing by default.
     */
    default Mono<Void> ended(Job job, JobState outcome) {
        return Mono.empty();
    }
}
