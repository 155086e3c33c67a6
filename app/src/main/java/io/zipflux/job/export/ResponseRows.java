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
     * bytes comes as its UTF-8 bytes in parts of that size, a result row each (in order: the lateral
     * series runs within its response), so that no row of the result, and no buffer of the driver,
     * holds a large field whole. The {@code OFFSET 0} fences keep the text made once per response.
     */
    private static final String SELECT = "SELECT r.id::text, r.form_id, r.respondent, "
            + "to_char(r.submitted_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"') AS submitted_at, "
            + "CASE WHEN a.parts = 1 THEN a.text END AS answers, "
            + "CASE WHEN a.parts > 1 THEN substring(a.bytes FROM part * " + ResponseCsv.PART_BYTES + " + 1 FOR "
            + ResponseCsv.PART_BYTES + ") END AS answers_part, part, a.parts, a.quoted "
            + "FROM responses r CROSS JOIN LATERAL (SELECT t.text, t.parts, "
            + "CASE WHEN t.parts > 1 THEN convert_to(t.text, 'UTF8') END AS bytes, "
            + "t.parts > 1 AND (t.text = '' OR strpos(t.text, '\"') > 0 OR strpos(t.text, ',') > 0 "
            + "OR strpos(t.text, chr(10)) > 0 OR strpos(t.text, chr(13)) > 0) AS quoted "
            + "FROM (SELECT x.text, greatest(1, (octet_length(x.text) + " + (ResponseCsv.PART_BYTES - 1) + ") / "
            + ResponseCsv.PART_BYTES + ") AS parts FROM (SELECT r.answers::text AS text OFFSET 0) x) t OFFSET 0) a "
            + "CROSS JOIN LATERAL generate_series(0, a.parts - 1) AS part "
            + "WHERE r.submitted_at >= :start AND r.submitted_at < :end ORDER BY r.submitted_at, r.id";

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

    /** The CSV lines of the responses in {@code range}, in export order, a batch at a time. */
    Flux<ResponseCsv.Batch> csv(DateRange range) {
        return snapshot.transactional(batches(range));
    }

    /** The same, after telling {@code total} how many rows there will be. */
    Flux<ResponseCsv.Batch> csv(DateRange range, LongConsumer total) {
        return snapshot.transactional(count(range)
                .doOnNext(total::accept)
                .thenMany(batches(range)));
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
    private Flux<ResponseCsv.Batch> batches(DateRange range) {
        return Flux.defer(() -> {
            ResponseCsv.Lines lines = new ResponseCsv.Lines();
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
