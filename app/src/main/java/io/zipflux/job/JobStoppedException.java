package io.zipflux.job;

/** A running job was cancelled, or its instance lost it; the worker stops without a result. */
public class JobStoppedException extends RuntimeException {

    private final JobState state;

    JobStoppedException(JobState state) {
        super(state == null ? "job was taken over by another instance" : "job is " + state);
        this.state = state;
    }

    /** CANCELLED, or null when the job is no longer this instance's. */
    JobState state() {
        return state;
    }
}
