package io.zipflux.job.export;

import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.server.ServerWebInputException;

/**
 * The days of an export, inclusive, in UTC; an open end reaches the first or last response.
 *
 * @param from first day, or null
 * @param to last day, or null
 */
record DateRange(LocalDate from, LocalDate to) {

    /** Before and after any response PostgreSQL can hold; used for an open end. */
    private static final LocalDate FIRST = LocalDate.of(1, 1, 1);

    private static final LocalDate LAST = LocalDate.of(9999, 12, 31);

    DateRange {
        if (from != null && to != null && from.isAfter(to)) {
            throw new ServerWebInputException("'from' (" + from + ") is after 'to' (" + to + "); both days are included, "
                    + "so 'from' must be on or before 'to'");
        }
    }

    /** From the query parameters {@code from} and {@code to} (YYYY-MM-DD, optional); 400 when malformed. */
    static DateRange of(ServerRequest request) {
        return new DateRange(day(request.queryParam("from"), "from"), day(request.queryParam("to"), "to"));
    }

    static DateRange of(JsonNode params) {
        return new DateRange(day(params, "from"), day(params, "to"));
    }

    void writeTo(ObjectNode params) {
        params.put("from", from == null ? null : from.toString());
        params.put("to", to == null ? null : to.toString());
    }

    /** The first instant in the range. */
    OffsetDateTime start() {
        return (from == null ? FIRST : from).atStartOfDay().atOffset(ZoneOffset.UTC);
    }

    /** The first instant after the range. */
    OffsetDateTime end() {
        return (to == null ? LAST : to).plusDays(1).atStartOfDay().atOffset(ZoneOffset.UTC);
    }

    /** A file name for the CSV, e.g. {@code responses-2026-01-01-2026-01-31.csv}. */
    String fileName() {
        return "responses" + (from == null ? "" : "-from-" + from) + (to == null ? "" : "-to-" + to) + ".csv";
    }

    private static LocalDate day(Optional<String> value, String name) {
        return value.filter(text -> !text.isBlank()).map(text -> parse(text.trim(), name)).orElse(null);
    }

    private static LocalDate day(JsonNode params, String name) {
        JsonNode value = params.get(name);
        return value == null || value.isNull() ? null : LocalDate.parse(value.asText());
    }

    private static LocalDate parse(String text, String name) {
        try {
            return LocalDate.parse(text);
        }
        catch (DateTimeParseException ex) {
            throw new ServerWebInputException("'" + name + "' must be a day as YYYY-MM-DD, not '" + text + "'");
        }
    }
}
