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

    /** Undoes a cancelled or failed run's leftovers (partial files); by default nothing. */
    default Mono<Void> cleanUp(Job job) {
        return Mono.empty();
    }
}
