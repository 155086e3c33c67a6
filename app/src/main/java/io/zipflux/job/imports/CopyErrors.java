package io.zipflux.job.imports;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.r2dbc.postgresql.api.ErrorDetails;
import io.r2dbc.postgresql.api.PostgresqlException;

/** PostgreSQL's COPY errors as import errors that name the line, the column and what is wrong. */
final class CopyErrors {

    /** The part of PostgreSQL's context that places the error: "COPY responses, line 7, column answers". */
    private static final Pattern PLACE = Pattern.compile("COPY \\w+, line (\\d+)(?:, column (\\w+))?");

    private CopyErrors() {
    }

    static Throwable explain(Throwable error) {
        if (!(error instanceof PostgresqlException postgres)) {
            return error;
        }
        ErrorDetails details = postgres.getErrorDetails();
        Matcher place = PLACE.matcher(details.getWhere().orElse(""));
        if (!place.find()) {
            return error;
        }
        StringBuilder message = new StringBuilder("line ").append(place.group(1));
        if (place.group(2) != null) {
            message.append(", column ").append(place.group(2));
        }
        message.append(": ").append(details.getMessage());
        details.getDetail().ifPresent(detail -> message.append(" (").append(detail).append(')'));
        return new ImportRejectedException(message.toString());
    }
}
