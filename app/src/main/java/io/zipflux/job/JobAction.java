package io.zipflux.job;

import java.util.Locale;
import java.util.Optional;

/** What a client may ask of a job, and the state each request moves it to. */
public enum JobAction {
    PAUSE(JobState.PAUSED), RESUME(JobState.RUNNING), CANCEL(JobState.CANCELLED);

    private final JobState target;

    JobAction(JobState target) {
        this.target = target;
    }

    public JobState target() {
        return target;
    }

    static Optional<JobAction> parse(String value) {
        return java.util.Arrays.stream(values())
                .filter(action -> action.name().equals(value.toUpperCase(Locale.ROOT)))
                .findFirst();
    }
}
