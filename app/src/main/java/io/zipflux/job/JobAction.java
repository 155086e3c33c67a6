package io.zipflux.job;

import java.util.List;
import java.util.Locale;
import java.util.Optional;

/** What a client may ask of a job, and the state each request moves it to. */
public enum JobAction {
    PAUSE(JobState.PAUSED, JobState.RUNNING),
    RESUME(JobState.RUNNING, JobState.PAUSED),
    CANCEL(JobState.CANCELLED, JobState.QUEUED, JobState.RUNNING, JobState.PAUSED);

    private final JobState target;

    private final List<JobState> sources;

    JobAction(JobState target, JobState... sources) {
        this.target = target;
        this.sources = List.of(sources);
        for (JobState source : sources) {
            if (!source.canMoveTo(target)) {
                throw new IllegalStateException(name() + ": " + source + " → " + target + " is not a job transition");
            }
        }
    }

    public JobState target() {
        return target;
    }

    /**
     * The states a client may ask this from: a subset of the moves {@link JobState} allows (QUEUED →
     * RUNNING, say, belongs to workers, not to clients).
     */
    List<String> sources() {
        return sources.stream().map(Enum::name).toList();
    }

    static Optional<JobAction> parse(String value) {
        return java.util.Arrays.stream(values())
                .filter(action -> action.name().equals(value.toUpperCase(Locale.ROOT)))
                .findFirst();
    }
}
