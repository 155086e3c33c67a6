package io.zipflux.job;

import java.net.ConnectException;

import io.r2dbc.spi.R2dbcNonTransientResourceException;
import io.r2dbc.spi.R2dbcTransientResourceException;

import org.springframework.dao.DataAccessResourceFailureException;

/** Tells "the database is unreachable" (a 503) apart from bugs. */
final class JobStoreErrors {

    private JobStoreErrors() {
    }

    static boolean isUnavailable(Throwable error) {
        for (Throwable cause = error; cause != null; cause = cause.getCause()) {
            if (cause instanceof DataAccessResourceFailureException
                    || cause instanceof R2dbcNonTransientResourceException
                    || cause instanceof R2dbcTransientResourceException
                    || cause instanceof ConnectException
                    || cause instanceof java.util.concurrent.TimeoutException
                    || cause.getClass().getName().contains("PostgresConnectionClosedException")) {
                return true;
            }
        }
        return false;
    }
}
