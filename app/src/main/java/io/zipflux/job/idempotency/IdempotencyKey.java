package io.zipflux.job.idempotency;

import java.util.List;

/**
 * A client's {@code Idempotency-Key}: the same value sent by another caller is another key. The value is
 * 1 to 255 printable ASCII characters (space included), bare or as a structured-field string ({@code "..."},
 * as draft-ietf-httpapi-idempotency-key-header writes it; the quotes are not part of the key).
 */
record IdempotencyKey(String caller, String value) {

    static final String HEADER = "Idempotency-Key";

    static final int MAX_LENGTH = 255;

    /** The key in the header's values; null when there is none; 400 when malformed or sent twice. */
    static String parse(List<String> values) {
        if (values == null || values.isEmpty()) {
            return null;
        }
        if (values.size() > 1) {
            throw new IdempotencyProblems.BadKey("the header came " + values.size() + " times");
        }
        String value = unquoted(values.get(0).strip());
        if (value.isEmpty() || value.length() > MAX_LENGTH) {
            throw new IdempotencyProblems.BadKey("this one has " + value.length() + " characters");
        }
        if (!value.chars().allMatch(c -> c >= 0x20 && c <= 0x7e)) {
            throw new IdempotencyProblems.BadKey("this one holds a character outside that range");
        }
        return value;
    }

    /** A structured-field string's content ({@code \"} and {@code \\} unescaped); anything else as it is. */
    private static String unquoted(String value) {
        if (value.length() < 2 || value.charAt(0) != '"' || value.charAt(value.length() - 1) != '"') {
            return value;
        }
        return value.substring(1, value.length() - 1).replaceAll("\\\\([\"\\\\])", "$1");
    }
}
