package io.zipflux.job;

import java.util.UUID;

import org.springframework.http.HttpStatus;
import org.springframework.web.ErrorResponseException;

/** The errors job endpoints answer with; each becomes a problem+json response. */
public final class JobExceptions {

    private JobExceptions() {
    }

    /** 404: no job with this id (or the id is not a UUID). */
    public static final class NotFound extends ErrorResponseException {
        public NotFound(String id) {
            super(HttpStatus.NOT_FOUND);
            getBody().setTitle("Job not found");
            getBody().setDetail("No job has the id '" + id + "'.");
        }
    }

    /** 409: the job's state does not allow what was asked. */
    public static final class Conflict extends ErrorResponseException {
        public Conflict(UUID id, JobState state, String asked) {
            super(HttpStatus.CONFLICT);
            getBody().setTitle("Not possible in this state");
            getBody().setDetail("Job " + id + " is " + state + "; it cannot " + asked + ".");
            getBody().setProperty("state", state.name());
        }
    }

    /** 503: the job store (PostgreSQL) is unreachable or not migrated yet. */
    public static final class Unavailable extends ErrorResponseException {
        public Unavailable(Throwable cause) {
            super(HttpStatus.SERVICE_UNAVAILABLE, cause);
            getBody().setTitle("Jobs are unavailable");
            getBody().setDetail("The job store cannot be reached right now; archives still work. Try again shortly.");
            getHeaders().set("Retry-After", "5");
        }
    }

    /**
     * 503: the database connection of a job that runs in one transaction with its input (an import) was lost
     * mid-run; the transaction rolled back, so nothing was written, and the job has failed: the client may send
     * its data again, to a new job.
     */
    public static final class DatabaseLost extends ErrorResponseException {

        /** The job's error. */
        static final String ERROR = "the database connection was lost during the run; its transaction was rolled back, "
                + "so no rows were written; send the data again to a new job";

        public DatabaseLost(UUID id, Throwable cause) {
            super(HttpStatus.SERVICE_UNAVAILABLE, cause);
            getBody().setTitle("Database connection lost");
            getBody().setDetail("The database connection was lost while job " + id + " ran; its transaction was rolled "
                    + "back, so none of its rows were written. The job has failed; send the data again to a new job.");
            getHeaders().set("Retry-After", "5");
        }
    }

    /** 429: the caller has as many active jobs as it may; one must end first. */
    public static final class TooManyActive extends ErrorResponseException {
        public TooManyActive(String caller, int limit) {
            super(HttpStatus.TOO_MANY_REQUESTS);
            getBody().setTitle("Too many active jobs");
            getBody().setDetail("'" + caller + "' has " + limit + " jobs QUEUED, RUNNING or PAUSED, as many as "
                    + "zipflux.security.max-active-jobs allows; wait for one to end, or cancel one.");
            getBody().setProperty("limit", limit);
            getHeaders().set("Retry-After", "10");
        }
    }
}
