package io.zipflux.job;

import com.fasterxml.jackson.databind.JsonNode;
import reactor.core.publisher.Mono;

/** What a running job sees of its control: progress goes out, pause and cancel come in. */
public interface JobContext {

    /**
     * Records progress and honours control: completes at once while the job runs, waits while it is
     * paused, and fails with {@link JobStoppedException} once it is cancelled or taken away.
     */
    Mono<Void> checkpoint(long done);

    /**
     * Fails with {@link JobStoppedException} as soon as the job is cancelled or taken away, whatever
     * the run is doing; never completes otherwise. For runs that may wait long on something other
     * than a checkpoint (an upload that has gone quiet, say).
     */
    Mono<Void> stopped();

    /** Whether the job is paused now, as its control last saw it (for clocks that should stop meanwhile). */
    boolean paused();

    /** Sets the progress total once the run knows it (saved with the next progress). */
    void total(long total);

    /**
     * Shows what the run has done so far as the job's {@code result} while it runs (saved with the next
     * progress); the result the run ends with replaces it.
     */
    void interimResult(JsonNode result);
}
