package io.zipflux.job;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** What clients may ask of a job, against the transitions workers and the sweeper use. */
class JobActionTest {

    @Test
    void clientsResumeOnlyPausedJobs() {
        assertThat(JobAction.RESUME.sources()).containsExactly("PAUSED");
        assertThat(JobState.QUEUED.canMoveTo(JobState.RUNNING)).as("a worker's claim").isTrue();
    }

    @Test
    void clientsPauseOnlyRunningJobsAndCancelAnyUnfinishedOne() {
        assertThat(JobAction.PAUSE.sources()).containsExactly("RUNNING");
        assertThat(JobAction.CANCEL.sources()).containsExactlyInAnyOrder("QUEUED", "RUNNING", "PAUSED");
    }

    @Test
    void terminalStatesGoNowhere() {
        for (JobState terminal : new JobState[] {JobState.SUCCEEDED, JobState.FAILED, JobState.CANCELLED}) {
            assertThat(terminal.isTerminal()).isTrue();
            for (JobState target : JobState.values()) {
                assertThat(terminal.canMoveTo(target)).as("%s → %s", terminal, target).isFalse();
            }
        }
    }
}
