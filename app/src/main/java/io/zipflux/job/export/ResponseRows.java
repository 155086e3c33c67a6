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
 * Reads form responses for export: in one read-only snapshot (so a count and the rows agree), with a
 * cursor that fetches {@value #FETCH_SIZE} rows at a time as the reader asks for them, so no more
 * than a few batches are ever in memory, however many rows the range holds.
 */
@Repository
class ResponseRows {

    private static final int FETCH_SIZE = 2000;

    private static final int ROWS_PER_BATCH = 500;

    private static final String RANGE = " FROM responses WHERE submitted_at >= :start AND submitted_at < :end";

    private static final String SELECT = "SELECT id, form_id, respondent, "
            + "to_char(submitted_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"') AS submitted_at, "
            + "answers::text AS answers" + RANGE + " ORDER BY submitted_at, id";

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

    private Flux<ResponseCsv.Batch> batches(DateRange range) {
        return db.sql(SELECT)
                .bind("start", range.start())
                .bind("end", range.end())
                .filter((statement, next) -> next.execute(statement.fetchSize(FETCH_SIZE)))
                .map(ResponseCsv::line)
                .all()
                .buffer(ROWS_PER_BATCH)
                .map(ResponseCsv::batch);
    }
}
