package io.zipflux.job.idempotency;

import org.springframework.http.HttpStatus;
import org.springframework.web.ErrorResponseException;

/** The answers of a keyed request that is not run: each becomes a problem+json response. */
final class IdempotencyProblems {

    private IdempotencyProblems() {
    }

    /** 400: the header is not one key of 1 to 255 printable ASCII characters. */
    static final class BadKey extends ErrorResponseException {
        BadKey(String why) {
            super(HttpStatus.BAD_REQUEST);
            getBody().setTitle("Bad Idempotency-Key");
            getBody().setDetail("Idempotency-Key must be one value of 1 to " + IdempotencyKey.MAX_LENGTH
                    + " printable ASCII characters; " + why + ".");
        }
    }

    /** 409: the first request with this key has not answered yet; the client retries later (no job is made twice). */
    static final class InProgress extends ErrorResponseException {
        InProgress() {
            super(HttpStatus.CONFLICT);
            getBody().setTitle("Request in progress");
            getBody().setDetail("A request with this Idempotency-Key is in progress; retry once it has answered, "
                    + "to get its answer.");
            getHeaders().set("Retry-After", "1");
        }
    }

    /** 422: the key was first used for another request; a different request needs a new key. */
    static final class Mismatch extends ErrorResponseException {
        Mismatch(String what) {
            super(HttpStatus.UNPROCESSABLE_ENTITY);
            getBody().setTitle("Idempotency-Key reused");
            getBody().setDetail("This Idempotency-Key was first used for a request with another " + what
                    + "; a different request needs a new key.");
        }
    }
}
