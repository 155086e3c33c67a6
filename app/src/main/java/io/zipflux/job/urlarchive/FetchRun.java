package io.zipflux.job.urlarchive;

import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import reactor.core.publisher.Mono;

import io.zipflux.job.JobContext;

/**
 * One run of a URL archive job: the bytes on disk per entry (their sum is the progress), the lengths
 * the origins announced (their sum is the progress total), the entries done (the interim result), and
 * the job's size limit.
 */
final class FetchRun {

    private final UUID jobId;

    private final JobContext context;

    private final long maxTotalSize;

    private final AtomicLongArray bytes;

    private final AtomicLongArray lengths;

    private final AtomicLong done = new AtomicLong();

    private final AtomicLong known = new AtomicLong();

    private final AtomicInteger fetched = new AtomicInteger();

    private final AtomicInteger skipped = new AtomicInteger();

    FetchRun(UUID jobId, JobContext context, int entries, long maxTotalSize) {
        this.jobId = jobId;
        this.context = context;
        this.maxTotalSize = maxTotalSize;
        this.bytes = new AtomicLongArray(entries);
        this.lengths = new AtomicLongArray(entries);
    }

    UUID jobId() {
        return jobId;
    }

    /** Entry {@code entry} now has {@code value} bytes on disk. */
    void bytes(int entry, long value) {
        done.addAndGet(value - bytes.getAndSet(entry, value));
    }

    long bytesOf(int entry) {
        return bytes.get(entry);
    }

    /** The origin announced {@code length} bytes for the entry (null: unknown, 0 from now on). */
    void length(int entry, Long length) {
        long value = length == null ? 0 : length;
        context.total(known.addAndGet(value - lengths.getAndSet(entry, value)));
    }

    /** Forgets a skipped entry: neither its bytes nor its length count any more. */
    void drop(int entry) {
        bytes(entry, 0);
        length(entry, null);
    }

    /** An entry has ended, on disk or skipped: the job's interim result counts the files done. */
    void ended(boolean wasSkipped) {
        (wasSkipped ? skipped : fetched).incrementAndGet();
        context.interimResult(JsonNodeFactory.instance.objectNode()
                .put("files", fetched.get())
                .put("skippedFiles", skipped.get())
                .put("entries", bytes.length())
                .put("bytes", done.get()));
    }

    /** Whether {@code more} bytes still fit the job's limit. */
    boolean fits(long more) {
        return done.get() + more <= maxTotalSize;
    }

    long done() {
        return done.get();
    }

    /** Whether the job is paused now (as its control last saw it). */
    boolean paused() {
        return context.paused();
    }

    /** Saves progress; waits while the job is paused, fails once it is cancelled. */
    Mono<Void> checkpoint() {
        return context.checkpoint(done.get());
    }
}
