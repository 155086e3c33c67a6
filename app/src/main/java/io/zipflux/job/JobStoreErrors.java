package io.zipflux.job;

import java.net.ConnectException;
import java.util.Set;

import io.r2dbc.spi.R2dbcException;
import io.r2dbc.spi.R2dbcNonTransientResourceException;
import io.r2dbc.spi.R2dbcTransientException;
import io.r2dbc.spi.R2dbcTransientResourceException;

import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.transaction.TransactionSystemException;

/**
 * Tells "the database is unreachable" (a 503) apart from bugs, and database faults that a retry can
 * mend (a connection lost, a restart, a failover, a serialization conflict) from those it cannot (a bad row).
 */
public final class JobStoreErrors {

    /**
     * SQLSTATEs of faults that pass: admin shutdown, crash shutdown, cannot connect now (57P01-03),
     * serialization failure and deadlock (40001, 40P01), too many connections (53300). Class 08 (connection
     * exceptions) is transient as a whole; everything else with a SQLSTATE (22xxx data, 23xxx constraints) is not.
     */
    private static final Set<String> TRANSIENT_STATES = Set.of("57P01", "57P02", "57P03", "40001", "40P01", "53300");

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
        return isTransient(error);
    }

    /**
     * Whether {@code error} comes from a database fault that a retry (on a new connection, in a new
     * transaction) can mend. The first R2DBC error in the cause chain decides: by its SQLSTATE when it has one,
     * else by its kind (a connection closed or refused, a pool acquire timeout).
     */
    public static boolean isTransient(Throwable error) {
        for (Throwable cause = error; cause != null; cause = next(cause)) {
            if (cause instanceof R2dbcException r2dbc) {
                String state = r2dbc.getSqlState();
                if (state != null && !state.isEmpty()) {
                    return state.startsWith("08") || TRANSIENT_STATES.contains(state);
                }
                return r2dbc instanceof R2dbcNonTransientResourceException || r2dbc instanceof R2dbcTransientException;
            }
        }
        return false;
    }

    /** The cause, or for a failed rollback the error that made the transaction roll back. */
    private static Throwable next(Throwable error) {
        if (error instanceof TransactionSystemException rollback && rollback.getApplicationException() != null
                && rollback.getApplicationException() != error) {
            return rollback.getApplicationException();
        }
        return error.getCause();
    }
}
