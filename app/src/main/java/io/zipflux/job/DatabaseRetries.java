package io.zipflux.job;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;
import reactor.util.retry.Retry;
import reactor.util.retry.RetryBackoffSpec;

import org.springframework.stereotype.Component;
/**
 * Retries of a job's work after a transient database fault ({@link JobStoreErrors#isTransient}): a lost
 * connection or a restart is ridden out with backoff, like an outage; a fault that a retry cannot mend
 * (a bad row, a bug) fails at once.
 */
@Component
class DatabaseRetries {

    private static final Logger log = LoggerFactory.getLogger(DatabaseRetries.class);

    private final DatabaseRetryProperties properties;

    DatabaseRetries(DatabaseRetryProperties properties) {
        this.properties = properties;
    }

    /**
     * A run of {@code job}, started again from its parameters after a transient fault (workers write nothing
     * a second run would duplicate), but only while the job is still this instance's and not cancelled: each
     * new try first passes a checkpoint, which waits while it is paused and fails once it is stopped.
     */
    <T> Mono<T> run(RunningJob job, Mono<T> run) {
        return Mono.defer(() -> job.checkpoint(job.done()))
                .then(run)
                .retryWhen(backoff("job " + job.job().id()));
    }

    /** A write of {@code what} (a job's outcome) tried again after a transient fault. */
    <T> Mono<T> write(String what, Mono<T> write) {
        return write.retryWhen(backoff(what));
    }

    private RetryBackoffSpec backoff(String what) {
        return Retry.backoff(properties.attempts(), properties.firstBackoff())
                .maxBackoff(properties.maxBackoff())
                .filter(JobStoreErrors::isTransient)
                .doBeforeRetry(signal -> log.warn("Database fault in {}; retry {} of {}: {}", what, signal.totalRetries() + 1,
                        properties.attempts(), signal.failure().toString()))
                .onRetryExhaustedThrow((spec, signal) -> signal.failure());
    }
}
