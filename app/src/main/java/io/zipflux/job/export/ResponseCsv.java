package io.zipflux.job.export;

import java.nio.charset.StandardCharsets;

import io.r2dbc.spi.Readable;

/**
 * Form responses as RFC 4180 CSV: the header {@value #COLUMNS}, CRLF line ends, a field quoted when
 * it holds a comma, a quote or a line break, quotes doubled. {@code submitted_at} comes formatted by
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

    /** One row of the export query, as a CSV line. */
    static String line(Readable row) {
        StringBuilder line = new StringBuilder(256);
        line.append(row.get("id", Long.class)).append(',');
        field(line, row.get("form_id", String.class)).append(',');
        field(line, row.get("respondent", String.class)).append(',');
        line.append(row.get("submitted_at", String.class)).append(',');
        return field(line, row.get("answers", String.class)).append("\r\n").toString();
    }

    static Batch batch(java.util.List<String> lines) {
        StringBuilder text = new StringBuilder(lines.size() * 256);
        lines.forEach(text::append);
        return new Batch(text.toString().getBytes(StandardCharsets.UTF_8), lines.size());
    }

    private static StringBuilder field(StringBuilder line, String value) {
        if (!needsQuotes(value)) {
            return line.append(value);
        }
        line.append('"');
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '"') {
                line.append('"');
            }
            line.append(c);
        }
        return line.append('"');
    }

    private static boolean needsQuotes(String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == ',' || c == '"' || c == '\n' || c == '\r') {
                return true;
            }
        }
        return false;
    }
}
