package io.zipflux.job.export;

import java.nio.charset.StandardCharsets;

import io.r2dbc.spi.Readable;

/**
 * Form responses as RFC 4180 CSV: the header {@value #COLUMNS}, CRLF line ends, a field quoted when
 * it is empty or holds a comma, a quote or a line break, quotes doubled. {@code submitted_at} comes formatted by
 * the query (ISO 8601 in UTC, microseconds) and {@code answers} as PostgreSQL's JSON text.
 */
final class ResponseCsv {

    static final String COLUMNS = "id,form_id,respondent,submitted_at,answers";

    private static final byte[] HEADER = (COLUMNS + "\r\n").getBytes(StandardCharsets.UTF_8);

    private ResponseCsv() {
    }

    /** A run of CSV lines and how many rows they hold. */
    record Batch(byte[] bytes, int rows) {
    }

    static Batch header() {
        return new Batch(HEADER, 0);
    }

    /** CSV lines being gathered into a batch, one row at a time. */
    static final class Lines {

        private final StringBuilder text = new StringBuilder(128 * 1024);

        private int rows;

        /** Appends one row of the export query (columns in {@value #COLUMNS} order); answers the rows gathered. */
        int add(Readable row) {
            text.append(row.get(0, String.class)).append(',');
            field(text, row.get(1, String.class)).append(',');
            field(text, row.get(2, String.class)).append(',');
            text.append(row.get(3, String.class)).append(',');
            field(text, row.get(4, String.class)).append("\r\n");
            return ++rows;
        }

        /** The rows gathered so far, as a batch; starts the next one. */
        Batch take() {
            Batch batch = new Batch(text.toString().getBytes(StandardCharsets.UTF_8), rows);
            text.setLength(0);
            rows = 0;
            return batch;
        }
    }

    private static StringBuilder field(StringBuilder line, String value) {
        if (!needsQuotes(value)) {
            return line.append(value);
        }
        return line.append('"').append(value.replace("\"", "\"\"")).append('"');
    }

    /** An empty text is quoted too: unquoted, COPY and most CSV readers take it for NULL. */
    private static boolean needsQuotes(String value) {
        return value.isEmpty() || value.indexOf('"') >= 0 || value.indexOf(',') >= 0 || value.indexOf('\n') >= 0
                || value.indexOf('\r') >= 0;
    }
}
