package io.zipflux.job.responses;

import java.util.List;

/**
 * The CSV contract of form responses, declared once for export and import: the columns in their
 * order (the header an export writes), those an import needs, and the COPY that reads such a CSV.
 */
public final class ResponseColumns {

    /** The header line an export writes (without its line end). */
    public static final String HEADER = "id,form_id,respondent,submitted_at,answers";

    /** Every column, in export order. */
    public static final List<String> ALL = List.of(HEADER.split(","));

    /** The columns an import needs: all but {@code id}, which it may leave out (new ids are generated). */
    public static final List<String> DATA = ALL.subList(1, ALL.size());

    private ResponseColumns() {
    }

    /** PostgreSQL's COPY of such a CSV, header line first, into {@code table}; {@code columns} in the header's order. */
    public static String copyFrom(String table, List<String> columns) {
        return "COPY " + table + " (" + String.join(", ", columns) + ") FROM STDIN (FORMAT csv, HEADER true)";
    }
}
