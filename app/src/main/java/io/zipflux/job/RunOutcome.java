package io.zipflux.job;

import com.fasterxml.jackson.databind.JsonNode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.web.ErrorResponseException;

import io.zipflux.system.PublicErrors;

/**
 * How a run ended: its final state, and what to save (nothing when it was stopped from outside); {@code answer},
 * when not null, is what the caller of an attached run gets instead of the state.
 */
record RunOutcome(JobState state, JsonNode result, String error, boolean save, Throwable answer) {

    private static final Logger log = LoggerFactory.getLogger(JobRunner.class);

    RunOutcome(JobState state, JsonNode result, String error, boolean save) {
        this(state, result, error, save, null);
    }

    /**
     * Failed. A caller's run that a database fault took (its transaction is lost, its input read once) fails too,
     * and its caller is told so (503); one whose input was refused (a 4xx) gets that refusal.
     */
    static RunOutcome failed(Job job, Throwable error, boolean forCaller) {
        if (forCaller && JobStoreErrors.isTransient(error)) {
            log.warn("Job {} failed: its database connection was lost ({}); nothing it wrote was kept", job.id(), error.toString());
            return new RunOutcome(JobState.FAILED, null, JobExceptions.DatabaseLost.ERROR, true,
                    new JobExceptions.DatabaseLost(job.id(), error));
        }
        if (forCaller && error instanceof ErrorResponseException refused && refused.getStatusCode().is4xxClientError()) {
            log.info("Job {} failed on its input: {}", job.id(), refused.getMessage());
            return new RunOutcome(JobState.FAILED, null, PublicErrors.describe(refused), true, refused);
        }
        log.warn("Job {} failed", job.id(), error);
        return new RunOutcome(JobState.FAILED, null, PublicErrors.describe(error), true);
    }
}
