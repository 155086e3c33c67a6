package io.zipflux.job.imports;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;

import com.fasterxml.jackson.databind.JsonNode;

import org.springframework.web.server.ServerWebInputException;

import io.zipflux.job.responses.ResponseColumns;

/**
 * What an import does with the ids of a CSV that has an {@code id} column ({@code ?ids=}): {@code upsert}
 * (the default) writes a row whose id exists over it and adds the others with their ids, so an export
 * imported again into the same database changes nothing; {@code keep} adds every row with its id and
 * fails on one that exists; {@code new} gives every row a new id. Rows without ids always get new ones.
 * After rows with ids, the id sequence is moved past them, so later new ids never collide.
 */
enum IdMode {
    UPSERT, KEEP, NEW;

    static final String PARAM = "ids";

    /** The rows of an import with ids, before they go to {@code responses} (dropped with the transaction). */
    private static final String STAGING = "import_rows";

    private static final String DATA = String.join(", ", ResponseColumns.DATA);

    private static final String UPDATE_DATA = ResponseColumns.DATA.stream()
            .map(column -> column + " = excluded." + column)
            .collect(Collectors.joining(", "));

    /** Imports with ids move the sequence one at a time (two racing could otherwise move it back). */
    private static final String SEQUENCE_LOCK = "SELECT pg_advisory_xact_lock(hashtext('zipflux.responses.id'))";

    /** Past the highest id, forward only: nextval takes the sequence's place atomically, setval only moves it on. */
    private static final String ADVANCE_SEQUENCE = "SELECT CASE WHEN top >= nextval(pg_get_serial_sequence('responses', 'id')) "
            + "THEN setval(pg_get_serial_sequence('responses', 'id'), top) END FROM (SELECT max(id) AS top FROM responses) AS rows";

    /** The mode of the request's {@code ?ids=}; 400 naming the choices when unknown. */
    static IdMode of(Optional<String> value) {
        String text = value.map(String::strip).filter(given -> !given.isEmpty()).orElse("upsert");
        try {
            return valueOf(text.toUpperCase(Locale.ROOT));
        }
        catch (IllegalArgumentException ex) {
            throw new ServerWebInputException("'" + PARAM + "' is upsert (the default), keep or new, not '" + text + "'");
        }
    }

    static IdMode of(JsonNode params) {
        JsonNode value = params.get(PARAM);
        return value == null || value.isNull() ? UPSERT : valueOf(value.asText().toUpperCase(Locale.ROOT));
    }

    String param() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The table COPY writes to: the staging table when the rows' ids need more than an INSERT. */
    String copyTarget(List<String> columns) {
        return staged(columns) ? STAGING : "responses";
    }

    /** Statements before the COPY. */
    List<String> before(List<String> columns) {
        return staged(columns)
                ? List.of("CREATE TEMPORARY TABLE " + STAGING + " (LIKE responses INCLUDING CONSTRAINTS) ON COMMIT DROP")
                : List.of();
    }

    /** Statements after the COPY, in its transaction. */
    List<String> after(List<String> columns) {
        List<String> after = new ArrayList<>();
        if (staged(columns)) {
            after.add(this == NEW
                    ? "INSERT INTO responses (" + DATA + ") SELECT " + DATA + " FROM " + STAGING
                    : "INSERT INTO responses (id, " + DATA + ") SELECT id, " + DATA + " FROM " + STAGING
                            + " ON CONFLICT (id) DO UPDATE SET " + UPDATE_DATA);
        }
        if (columns.contains("id") && this != NEW) {
            after.add(SEQUENCE_LOCK);
            after.add(ADVANCE_SEQUENCE);
        }
        return after;
    }

    private boolean staged(List<String> columns) {
        return columns.contains("id") && this != KEEP;
    }
}
