package io.zipflux.job.export;

import java.util.function.LongConsumer;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Repository;
import org.springframework.transaction.ReactiveTransactionManager;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.reactive.TransactionalOperator;
import org.springframework.transaction.support.DefaultTransactionDefinition;

/**
 * Reads form responses for export, in one read-only snapshot (so a count and the rows agree). Rows
 * are read only as fast as the consumer takes them: the driver stops reading its socket and
 * PostgreSQL waits to send (TCP backpressure), so memory holds a few batches however many rows the
 * range has. (A cursor with a fetch size bounds memory too, but its round trip per fetch made exports
 * a third slower.)
 */
@Repository
class ResponseRows {

    private static final int ROWS_PER_BATCH = 500;

    private static final String RANGE = " FROM responses WHERE submitted_at >= :start AND submitted_at < :end";

    /**
     * One result row per response, except that an {@code answers} text longer than {@value ResponseCsv#PART_BYTES}
     * bytes comes as its UTF-8 bytes in parts of that size, a result row each, so that no row of the
     * result, and no buffer of the driver, holds a large field whole. Layer by layer: the responses in
     * export order with their text (one index scan); how many parts, the bytes when more than one, and
     * whether such a field needs quotes (decided before its first part); one row per part (a set-returning
     * function keeps its input's order); the CSV columns. The {@code OFFSET 0} fences keep each layer
     * computed once per row of the layer below, not once per part.
     */
    private static final String SELECT = """
            SELECT id::text, form_id, respondent,
                   to_char(submitted_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS submitted_at,
                   CASE WHEN parts = 1 THEN text END AS answers,
                   CASE WHEN parts > 1 THEN substring(bytes FROM part * %1$d + 1 FOR %1$d) END AS answers_part,
                   part, parts, quoted
            FROM (SELECT *, generate_series(0, parts - 1) AS part
                  FROM (SELECT id, form_id, respondent, submitted_at, text,
                               greatest(1, (octet_length(text) + %1$d - 1) / %1$d) AS parts,
                               CASE WHEN octet_length(text) > %1$d THEN convert_to(text, 'UTF8') END AS bytes,
                               octet_length(text) > %1$d AND (strpos(text, '"') > 0 OR strpos(text, ',') > 0
                                   OR strpos(text, chr(10)) > 0 OR strpos(text, chr(13)) > 0) AS quoted
                        FROM (SELECT id, form_id, respondent, submitted_at, answers::text AS text
                              FROM responses
                              WHERE submitted_at >= :start AND submitted_at < :end
                              ORDER BY submitted_at, id
                              OFFSET 0) AS ordered
                        OFFSET 0) AS measured
                  OFFSET 0) AS parted
            """.formatted(ResponseCsv.PART_BYTES);

    /** What reading a row answers until its batch is full. */
    private static final ResponseCsv.Batch NOT_YET = new ResponseCsv.Batch(new byte[0], 0);

    private final DatabaseClient db;

    private final TransactionalOperator snapshot;

    ResponseRows(DatabaseClient db, ReactiveTransactionManager transactions) {
        this.db = db;
        DefaultTransactionDefinition definition = new DefaultTransactionDefinition();
        definition.setIsolationLevel(TransactionDefinition.ISOLATION_REPEATABLE_READ);
        definition.setReadOnly(true);
        this.snapshot = TransactionalOperator.create(transactions, definition);
    }

    /** The CSV lines of the responses in {@code range}, in export order, a batch at a time (spreadsheet-safe if asked). */
    Flux<ResponseCsv.Batch> csv(DateRange range, boolean spreadsheetSafe) {
        return snapshot.transactional(batches(range, spreadsheetSafe));
    }

    /** The same, after telling {@code total} how many rows there will be. */
    Flux<ResponseCsv.Batch> csv(DateRange range, boolean spreadsheetSafe, LongConsumer total) {
        return snapshot.transactional(count(range)
                .doOnNext(total::accept)
                .thenMany(batches(range, spreadsheetSafe)));
    }

    private Mono<Long> count(DateRange range) {
        return db.sql("SELECT count(*) AS n" + RANGE)
                .bind("start", range.start())
                .bind("end", range.end())
                .map(row -> row.get("n", Long.class))
                .one();
    }

    /**
     * Rows are appended to a batch as they are read (a row is only readable inside {@code map}); a
     * batch goes on once it holds {@value #ROWS_PER_BATCH} rows, or a part of a large field, the last
     * one at the end.
     */
    private Flux<ResponseCsv.Batch> batches(DateRange range, boolean spreadsheetSafe) {
        return Flux.defer(() -> {
            ResponseCsv.Lines lines = new ResponseCsv.Lines(spreadsheetSafe);
            return db.sql(SELECT)
                    .bind("start", range.start())
                    .bind("end", range.end())
                    .map(row -> lines.add(row) >= ROWS_PER_BATCH || lines.holdsPart() ? lines.take() : NOT_YET)
                    .all()
                    .transform(DriverThreadRequests::apply)
                    .filter(batch -> batch != NOT_YET)
                    .concatWith(Mono.fromSupplier(lines::take).filter(batch -> batch.rows() > 0));
        });
    }
}
