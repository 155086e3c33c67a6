package io.zipflux.job.imports;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.r2dbc.postgresql.api.ErrorDetails;
import io.r2dbc.postgresql.api.PostgresqlException;

/** PostgreSQL's COPY errors as import errors that name the line, the column and what is wrong. */
final class CopyErrors {

    /** The part of PostgreSQL's context that places the error: "COPY responses, line 7, column answers". */
    private static final Pattern PLACE = Pattern.compile("COPY \\w+, line (\\d+)(?:, column (\\w+))?");

    /** The check of migration V4: exports cover the years 1 to 9999. */
    private static final String OUTSIDE_EXPORTABLE_YEARS = "submitted_at_in_years_1_to_9999";

    private static final int MAX_DETAIL = 300;

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
        if (details.getConstraintName().filter(OUTSIDE_EXPORTABLE_YEARS::equals).isPresent()) {
            // PostgreSQL's detail would repeat the whole row; the column and the rule say it all.
            return new ImportRejectedException(message.append(", column submitted_at: the time lies outside the years 1 to 9999 "
                    + "(UTC), which is all an export can cover (infinity, BC and year 10000 or later are refused)").toString());
        }
        message.append(": ").append(details.getMessage());
        details.getDetail().ifPresent(detail -> message.append(" (").append(shortened(detail)).append(')'));
        return new ImportRejectedException(message.toString());
    }

    /** A detail may quote the whole row ("Failing row contains ..."), fields of up to max-field-size included. */
    private static String shortened(String detail) {
        return detail.length() <= MAX_DETAIL ? detail : detail.substring(0, MAX_DETAIL) + "…";
    }
}
