package io.zipflux.system;

import java.time.Duration;

import org.springframework.http.HttpStatus;
import org.springframework.web.ErrorResponseException;

/** 408: the client stopped sending its request body (or stopped reading its download) for too long. */
public class ClientStalledException extends ErrorResponseException {

    public ClientStalledException(String what, Duration limit) {
        super(HttpStatus.REQUEST_TIMEOUT);
        getBody().setTitle("Client stalled");
        getBody().setDetail("the client stopped " + what + " for " + limit.toSeconds() + " s");
    }

    /** The reason alone: it becomes a failed job's error. */
    @Override
    public String getMessage() {
        return getBody().getDetail();
    }
}
