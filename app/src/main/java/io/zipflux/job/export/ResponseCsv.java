package io.zipflux.job.export;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

import io.r2dbc.spi.Readable;

import io.zipflux.job.responses.ResponseColumns;

/**
 * Form responses as RFC 4180 CSV: the header of {@link ResponseColumns}, CRLF line ends, a field quoted when
 * it is empty or holds a comma, a quote or a line break, quotes doubled. {@code submitted_at} comes formatted by
 * the query (ISO 8601 in UTC, microseconds) and {@code answers} as PostgreSQL's JSON text. Spreadsheet-safe
 * lines (OWASP CSV injection) prefix a text field that starts with {@code =}, {@code +}, {@code -}, {@code @},
 * a tab or a carriage return with {@code '}, so that a spreadsheet shows it as text instead of running it as
 * a formula; such a file no longer imports back to the same rows, so it is asked for, never the default.
 */
final class ResponseCsv {

    private static final byte[] HEADER = (ResponseColumns.HEADER + "\r\n").getBytes(StandardCharsets.UTF_8);

    private static final byte[] CRLF = {'\r', '\n'};

    /** Answers longer than this come from the database in parts of this many bytes. */
    static final int PART_BYTES = 256 * 1024;

    /** What a spreadsheet-safe field starts with when it would otherwise start like a formula. */
    private static final char FORMULA_GUARD = '\'';

    private ResponseCsv() {
    }

    /** A run of CSV lines and how many rows they hold. */
    record Batch(byte[] bytes, int rows) {
    }

    static Batch header() {
        return new Batch(HEADER, 0);
    }

    /** CSV lines being gathered into a batch, one row (or one part of a large field) at a time. */
    static final class Lines {

        private final StringBuilder text = new StringBuilder(128 * 1024);

        /** The lines so far as bytes, once a part of a large field has joined them (it may end inside a character). */
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();

        private int rows;

        /** Whether fields that start like a formula get {@link #FORMULA_GUARD} in front. */
        private final boolean spreadsheetSafe;

        Lines(boolean spreadsheetSafe) {
            this.spreadsheetSafe = spreadsheetSafe;
        }

        /**
         * Appends one row of the export query (columns in {@link ResponseColumns#ALL} order, then the answers'
         * part as bytes, the part's number, the number of parts, and whether the answers are quoted);
         * answers the rows gathered.
         */
        int add(Readable row) {
            int part = row.get(6, Integer.class);
            int parts = row.get(7, Integer.class);
            if (part == 0) {
                text.append(row.get(0, String.class)).append(',');
                field(text, guarded(row.get(1, String.class))).append(',');
                field(text, guarded(row.get(2, String.class))).append(',');
                text.append(row.get(3, String.class)).append(',');
            }
            if (parts == 1) {
                field(text, guarded(row.get(4, String.class))).append("\r\n");
                return ++rows;
            }
            boolean quoted = row.get(8, Boolean.class);
            textToBytes();
            if (part == 0 && quoted) {
                bytes.write('"');
            }
            // No guard needed: JSON text this long is an object, an array or a string (a number has
            // at most 147,455 digits in PostgreSQL), so it starts with '{', '[' or '"'.
            writePart(row.get(5, byte[].class), quoted);
            if (part == parts - 1) {
                if (quoted) {
                    bytes.write('"');
                }
                bytes.writeBytes(CRLF);
                rows++;
            }
            return rows;
        }

        /** Whether a part of a large field is gathered: it goes on at once, so no batch holds a large field whole. */
        boolean holdsPart() {
            return bytes.size() > 0;
        }

        /** The lines gathered so far, as a batch; starts the next one. */
        Batch take() {
            Batch batch;
            if (bytes.size() == 0) {
                batch = new Batch(text.toString().getBytes(StandardCharsets.UTF_8), rows);
            }
            else {
                textToBytes();
                batch = new Batch(bytes.toByteArray(), rows);
                bytes.reset();
            }
            text.setLength(0);
            rows = 0;
            return batch;
        }

        private String guarded(String value) {
            return spreadsheetSafe && !value.isEmpty() && startsLikeFormula(value.charAt(0)) ? FORMULA_GUARD + value : value;
        }

        private void textToBytes() {
            bytes.writeBytes(text.toString().getBytes(StandardCharsets.UTF_8));
            text.setLength(0);
        }

        private void writePart(byte[] part, boolean quoted) {
            int from = 0;
            for (int i = 0; quoted && i < part.length; i++) {
                if (part[i] == '"') {
                    bytes.write(part, from, i + 1 - from);
                    from = i; // the quote again: doubled
                }
            }
            bytes.write(part, from, part.length - from);
        }
    }

    /** The first characters OWASP lists as starting a formula (or dropped by a spreadsheet before one). */
    private static boolean startsLikeFormula(char first) {
        return first == '=' || first == '+' || first == '-' || first == '@' || first == '\t' || first == '\r';
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
