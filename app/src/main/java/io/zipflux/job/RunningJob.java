package io.zipflux.job;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

import com.fasterxml.jackson.databind.JsonNode;

import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/** A job this instance runs: its progress, and the state its control last saw in the database. */
final class RunningJob implements JobContext {

    private final Job job;

    private final AtomicLong done = new AtomicLong();

    private volatile Long total;

    private volatile JsonNode interimResult;

    private final Sinks.Many<JobState> states = Sinks.many().replay().latest();

    private volatile JobState state = JobState.RUNNING;

    private volatile boolean lost;

    /** When the database last confirmed this instance's lease (System.nanoTime). */
    private volatile long renewedAt = System.nanoTime();

    RunningJob(Job job) {
        this.job = job;
    }

    Job job() {
        return job;
    }

    long done() {
        return done.get();
    }

    Long total() {
        return total;
    }

    @Override
    public boolean paused() {
        return state == JobState.PAUSED && !lost;
    }

    @Override
    public void total(long total) {
        this.total = total;
    }

    JsonNode interimResult() {
        return interimResult;
    }

    @Override
    public void interimResult(JsonNode result) {
        this.interimResult = result;
    }

    @Override
    public Mono<Void> checkpoint(long progress) {
        done.set(progress);
        if (state == JobState.RUNNING && !lost) {
            return Mono.empty();
        }
        return states.asFlux()
                .filter(seen -> seen != JobState.PAUSED)
                .next()
                .flatMap(seen -> seen == JobState.RUNNING && !lost
                        ? Mono.<Void>empty()
                        : Mono.error(new JobStoppedException(lost ? null : seen)));
    }

    @Override
    public Mono<Void> stopped() {
        return states.asFlux()
                .filter(seen -> lost || seen != JobState.RUNNING && seen != JobState.PAUSED)
                .next()
                .flatMap(seen -> Mono.error(new JobStoppedException(lost ? null : seen)));
    }

    /** Whether the lease has gone unconfirmed for longer than {@code lease}: another instance may run the job now. */
    boolean unconfirmedFor(Duration lease) {
        return System.nanoTime() - renewedAt > lease.toNanos();
    }

    /** The state the database holds now; called by the control loop only, after a renewal. */
    void observe(JobState seen) {
        renewedAt = System.nanoTime();
        state = seen;
        states.tryEmitNext(seen);
    }

    /** The job is no longer this instance's (its lease passed to another). */
    void lose() {
        lost = true;
        states.tryEmitNext(JobState.CANCELLED);
    }
}
