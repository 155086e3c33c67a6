package io.zipflux.job.imports;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.util.ReferenceCountUtil;
import io.r2dbc.postgresql.api.PostgresqlConnection;
import io.r2dbc.spi.Connection;
import io.r2dbc.spi.ConnectionFactory;
import io.r2dbc.spi.Wrapped;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.NettyDataBufferFactory;
import org.springframework.r2dbc.connection.ConnectionFactoryUtils;
import org.springframework.stereotype.Component;

import io.zipflux.job.AttachedWorker;
import io.zipflux.job.Job;
import io.zipflux.job.JobContext;
import io.zipflux.job.JobStoreErrors;
import io.zipflux.job.responses.ResponseColumns;

/**
 * CSV imports, each run by the request that carries its data: the body streams into PostgreSQL's
 * {@code COPY ... FROM STDIN} as it arrives, in the transaction that also marks the job SUCCEEDED,
 * so an import that is cancelled, meets a bad row or dies with its server leaves no rows. The body
 * goes on in batches of about {@value #BATCH_BYTES} bytes, each scanned (rows, line numbers, field
 * counts) and passed through a checkpoint before it is sent: while the job is paused no more of the
 * body is read, and the client's upload stalls. The worker is stateless: what a run tracks (the
 * scanner, the buffers before the header, why the input stopped) belongs to that run.
 */
@Component
class CsvImport implements AttachedWorker<Flux<DataBuffer>> {

    static final String TYPE = "import";

    private static final int BATCH_BYTES = 256 * 1024;

    private final ConnectionFactory connections;

    private final ObjectMapper json;

    private final long maxFieldBytes;

    CsvImport(ConnectionFactory connections, ObjectMapper json, ImportsProperties properties) {
        this.connections = connections;
        this.json = json;
        this.maxFieldBytes = properties.maxFieldSize().toBytes();
    }

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public boolean atomic() {
        return true;
    }

    @Override
    public Mono<JsonNode> run(Job job, Flux<DataBuffer> body, JobContext context) {
        return Mono.defer(() -> new Run(context).copy(job, body))
                .doOnNext(context::total)
                .map(rows -> json.createObjectNode().put("rows", rows));
    }

    /** One run's state: the scanner, the buffers held back until the header is complete, and why the input stopped. */
    private final class Run {

        private final JobContext context;

        private final CsvScanner scanner = new CsvScanner(maxFieldBytes);

        private final List<ByteBuf> beforeHeader = new ArrayList<>();

        /** Why the input stopped, when it was stopped on this side (PostgreSQL then reports only "COPY failed"). */
        private final AtomicReference<Throwable> inputStopped = new AtomicReference<>();

        Run(JobContext context) {
            this.context = context;
        }

        Mono<Long> copy(Job job, Flux<DataBuffer> body) {
            Flux<ByteBuf> input = stoppable(batches(body.map(NettyDataBufferFactory::toByteBuf))
                            .concatMap(this::scanned, 0)
                            .concatWith(Flux.defer(this::rest)), context)
                    .doOnError(inputStopped::set)
                    .doOnDiscard(ByteBuf.class, ReferenceCountUtil::release);
            // fromMany, one inner publisher per batch: copyIn(sql, input) would gather the whole input into one message.
            return ConnectionFactoryUtils.getConnection(connections)
                    .map(CsvImport::postgres)
                    .flatMap(connection -> input
                            .switchOnFirst((first, all) -> first.hasValue()
                                    ? copy(connection, IdMode.of(job.params()), all)
                                    : all.then(Mono.<Long>empty()))
                            .single())
                    .onErrorMap(this::explain)
                    .doFinally(signal -> drainBeforeHeader().forEach(ReferenceCountUtil::release));
        }

        private Flux<ByteBuf> scanned(ByteBuf buffer) {
            try {
                scanner.scan(buffer);
            }
            catch (RuntimeException rejected) {
                buffer.release();
                return Flux.error(rejected);
            }
            Mono<Void> checkpoint = context.checkpoint(scanner.rows());
            if (!scanner.headerRead()) {
                beforeHeader.add(buffer);
                return checkpoint.thenMany(Flux.empty());
            }
            List<ByteBuf> ready = drainBeforeHeader();
            ready.add(buffer);
            return checkpoint.thenMany(Flux.fromIterable(ready))
                    .doOnDiscard(ByteBuf.class, ReferenceCountUtil::release);
        }

        /** At the end of the body: the last record, and whatever waited for a header that ended without a line break. */
        private Flux<ByteBuf> rest() {
            scanner.finish();
            return context.checkpoint(scanner.rows())
                    .thenMany(Flux.fromIterable(drainBeforeHeader()));
        }

        private List<ByteBuf> drainBeforeHeader() {
            List<ByteBuf> drained = new ArrayList<>(beforeHeader);
            beforeHeader.clear();
            return drained;
        }

        /** The statements of the id mode around the COPY, all in the run's transaction; answers the rows copied. */
        private Mono<Long> copy(PostgresqlConnection connection, IdMode ids, Flux<ByteBuf> input) {
            List<String> columns = scanner.columns();
            return execute(connection, ids.before(columns))
                    .then(connection.copyIn(ResponseColumns.copyFrom(ids.copyTarget(columns), columns)).fromMany(input.map(Mono::just)).build())
                    .flatMap(rows -> execute(connection, ids.after(columns)).thenReturn(rows));
        }

        /** Why the input stopped; else a lost connection as it is (the runner tells the client), else the bad row. */
        private Throwable explain(Throwable error) {
            Throwable stopped = inputStopped.get();
            if (stopped != null) {
                return stopped;
            }
            return JobStoreErrors.isTransient(error) ? error : CopyErrors.explain(error);
        }
    }

    /**
     * Network buffers (8 KB at most) gathered into batches of about {@value #BATCH_BYTES} bytes: each
     * batch is one COPY message and one checkpoint, instead of one per network buffer.
     */
    private static Flux<ByteBuf> batches(Flux<ByteBuf> buffers) {
        return Flux.defer(() -> {
            long[] gathered = {0};
            return buffers.bufferUntil(buffer -> {
                        gathered[0] += buffer.readableBytes();
                        boolean full = gathered[0] >= BATCH_BYTES;
                        if (full) {
                            gathered[0] = 0;
                        }
                        return full;
                    })
                    .map(CsvImport::joined);
        });
    }

    private static ByteBuf joined(List<ByteBuf> buffers) {
        if (buffers.size() == 1) {
            return buffers.get(0);
        }
        CompositeByteBuf joined = buffers.get(0).alloc().compositeBuffer(buffers.size());
        buffers.forEach(buffer -> joined.addComponent(true, buffer));
        return joined;
    }

    /** The input, ended at once by a cancel even while the client sends nothing (checkpoints only run as data comes). */
    private static Flux<ByteBuf> stoppable(Flux<ByteBuf> input, JobContext context) {
        Sinks.Empty<Void> ended = Sinks.empty();
        return Flux.merge(input.doOnComplete(ended::tryEmitEmpty),
                context.stopped().takeUntilOther(ended.asMono()).then(Mono.<ByteBuf>empty()));
    }

    private static Mono<Void> execute(PostgresqlConnection connection, List<String> statements) {
        return Flux.fromIterable(statements)
                .concatMap(sql -> connection.createStatement(sql).execute().concatMap(result -> result.getRowsUpdated()))
                .then();
    }

    private static PostgresqlConnection postgres(Connection connection) {
        Object unwrapped = connection;
        while (!(unwrapped instanceof PostgresqlConnection) && unwrapped instanceof Wrapped<?> wrapped) {
            unwrapped = wrapped.unwrap();
        }
        if (unwrapped instanceof PostgresqlConnection postgres) {
            return postgres;
        }
        throw new IllegalStateException("CSV imports need PostgreSQL's COPY; the connection is " + connection.getClass());
    }
}
