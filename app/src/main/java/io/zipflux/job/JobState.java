package io.zipflux.job;

import java.util.EnumSet;
import java.util.Set;

/**
 * The states of a job and every move between them, in one place: {@code QUEUED → RUNNING ⇄ PAUSED →
 * SUCCEEDED | FAILED | CANCELLED}, plus RUNNING → QUEUED when the instance running it is lost.
 */
public enum JobState {
    QUEUED, RUNNING, PAUSED, SUCCEEDED, FAILED, CANCELLED;

    private Set<JobState> next() {
        return switch (this) {
            case QUEUED -> EnumSet.of(RUNNING, CANCELLED);
            case RUNNING -> EnumSet.of(PAUSED, SUCCEEDED, FAILED, CANCELLED, QUEUED);
            case PAUSED -> EnumSet.of(RUNNING, CANCELLED);
            case SUCCEEDED, FAILED, CANCELLED -> EnumSet.noneOf(JobState.class);
        };
    }

    public boolean isTerminal() {
        return next().isEmpty();
    }

    public boolean canMoveTo(JobState target) {
        return next().contains(target);
    }
}
