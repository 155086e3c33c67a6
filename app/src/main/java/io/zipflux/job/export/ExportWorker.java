package io.zipflux.job.export;

import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.atomic.AtomicLong;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

import org.springframework.stereotype.Component;

import io.zipflux.job.Job;
import io.zipflux.job.JobContext;
import io.zipflux.job.JobState;
import io.zipflux.job.JobWorker;
import io.zipflux.job.Throttle;
import io.zipflux.system.DiskFullException;

/**
 * Export jobs: the responses of a date range to a CSV file, streamed from PostgreSQL a batch at a time
 * (reading waits for the disk), with progress in rows against the count taken in the same snapshot,
 * and pause and cancel honoured between batches. A run that does not succeed leaves no file.
 */
@Component
class ExportWorker implements JobWorker {

    static final String TYPE = "export";

    /** Batches read from the database while the one before is written (reading and writing overlap). */
    private static final int READ_AHEAD = 2;

    private final ResponseRows rows;

    private final ExportFiles files;

    private final ObjectMapper json;

    /** {@code zipflux.jobs.export.max-rate}: rows per second (0: no limit), to spare the database. */
    private final long maxRowsPerSecond;

    ExportWorker(ResponseRows rows, ExportFiles files, ObjectMapper json, ExportProperties properties) {
        this.rows = rows;
        this.files = files;
        this.json = json;
        this.maxRowsPerSecond = properties.maxRate();
    }

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public Mono<JsonNode> run(Job job, JobContext context) {
        DateRange range = DateRange.of(job.params());
        boolean spreadsheetSafe = job.params().path(ExportHandler.SPREADSHEET_SAFE).asBoolean(false);
        AtomicLong done = new AtomicLong();
        Throttle throttle = Throttle.perSecond(maxRowsPerSecond);
        return Mono.usingWhen(open(job),
                file -> write(file, ResponseCsv.header())
                        .thenMany(rows.csv(range, spreadsheetSafe, context::total))
                        .concatMap(batch -> write(file, batch)
                                .then(Mono.defer(() -> progress(context, throttle, done.addAndGet(batch.rows())))),
                                READ_AHEAD)
                        .then(),
                file -> close(file))
                .then(Mono.fromCallable(() -> result(job, range, spreadsheetSafe, done.get(), files.complete(job.id())))
                        .subscribeOn(Schedulers.boundedElastic()))
                .onErrorMap(error -> DiskFullException.explain(error, "export " + job.id()));
    }

    private static Mono<Void> progress(JobContext context, Throttle throttle, long done) {
        return context.checkpoint(done).then(throttle.after(done));
    }

    /** A run that did not succeed leaves nothing; a retried run starts its file over. */
    @Override
    public Mono<Void> ended(Job job, JobState outcome) {
        return outcome == JobState.SUCCEEDED ? Mono.empty() : files.delete(job.id());
    }

    private Mono<FileChannel> open(Job job) {
        return Mono.fromCallable(() -> FileChannel.open(files.partOf(job.id()), StandardOpenOption.CREATE,
                        StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING))
                .subscribeOn(Schedulers.boundedElastic());
    }

    private static Mono<Void> write(FileChannel file, ResponseCsv.Batch batch) {
        return Mono.<Void>fromCallable(() -> {
            ByteBuffer bytes = ByteBuffer.wrap(batch.bytes());
            while (bytes.hasRemaining()) {
                file.write(bytes);
            }
            return null;
        }).subscribeOn(Schedulers.boundedElastic());
    }

    private static Mono<Void> close(FileChannel file) {
        return Mono.<Void>fromCallable(() -> {
            file.close();
            return null;
        }).subscribeOn(Schedulers.boundedElastic());
    }

    private JsonNode result(Job job, DateRange range, boolean spreadsheetSafe, long rowCount, long bytes) {
        ObjectNode result = json.createObjectNode()
                .put("rows", rowCount)
                .put("bytes", bytes)
                .put(ExportHandler.SPREADSHEET_SAFE, spreadsheetSafe)
                .put("download", "/api/v1/exports/" + job.id() + "/download");
        range.writeTo(result);
        return result;
    }
}
