package io.zipflux.job;

import java.util.concurrent.Semaphore;

import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;
import org.springframework.web.ErrorResponseException;

/**
 * Requests that hold a database connection for as long as their data flows (a CSV import, a direct
 * CSV download): at most {@code zipflux.jobs.database-streams} at once per instance, so that they can
 * never take the whole connection pool and starve job control (lease renewals, the sweeper). One
 * more gets 503 with Retry-After.
 */
@Component
public class DatabaseStreams {

    private final Semaphore slots;

    private final int limit;

    DatabaseStreams(JobsProperties properties) {
        int limit = properties.databaseStreams();
        this.slots = new Semaphore(limit);
        this.limit = limit;
    }

    /** A slot for one stream, to be released once (and only once) the stream has ended; 503 when none is free. */
    public Slot take() {
        if (!slots.tryAcquire()) {
            throw new Busy(limit);
        }
        return new Slot();
    }

    /** One stream's hold on a slot. */
    public final class Slot {

        private boolean released;

        private Slot() {
        }

        public synchronized void release() {
            if (!released) {
                released = true;
                slots.release();
            }
        }
    }

    /** 503: this instance already streams as much from or into the database as it allows. */
    static final class Busy extends ErrorResponseException {
        Busy(int limit) {
            super(HttpStatus.SERVICE_UNAVAILABLE);
            getBody().setTitle("Too many database streams");
            getBody().setDetail("This instance already runs " + limit + " CSV imports or direct CSV downloads "
                    + "(zipflux.jobs.database-streams); try again shortly, or use an export job.");
            getHeaders().set("Retry-After", "5");
        }
    }
}
