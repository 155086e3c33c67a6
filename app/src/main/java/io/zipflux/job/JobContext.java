package io.zipflux.job;

import reactor.core.publisher.Mono;

/** What a running job sees of its control: progress goes out, pause and cancel come in. */
public interface JobContext {

    /**
     * Records progress and honours control: completes at once while the job runs, waits while it is
     * paused, and fails with {@link JobStoppedException} once it is cancelled or taken away.
     */
    Mono<Void> checkpoint(long done);

    /** Sets the progress total once the run knows it (saved with the next progress). */
    void total(long total);
}
