package io.zipflux.archive;

import java.util.Optional;

import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;
import org.springframework.web.ErrorResponseException;

/**
 * Whether a new download may start: not while direct memory in use is past
 * {@code zipflux.archive.stream-memory-limit}, unless it is small (at most write-prefetch small chunks,
 * which it holds only briefly). An allocation that finds no direct memory left does not just fail its
 * stream: the JDK collects garbage and retries for about a second while Netty holds the arena's lock, so
 * every event loop that takes or frees a buffer in that arena waits, health probes included. Refusing new
 * streams first keeps the running ones and every other request answered.
 */
@Component
class StreamAdmission {

    private final NetworkMemory memory;

    private final ArchiveMetrics metrics;

    private final long limit;

    private final long smallStream;

    StreamAdmission(NetworkMemory memory, ArchiveMetrics metrics, ArchiveProperties properties) {
        this.memory = memory;
        this.metrics = metrics;
        this.limit = properties.streamMemoryLimitBytes();
        this.smallStream = (long) properties.writePrefetch() * properties.smallChunkBytes();
    }

    /** Empty when a new stream of {@code length} bytes (-1: unknown) may start; otherwise the 503 to answer, counted. */
    Optional<ErrorResponseException> refusal(long length) {
        if ((length >= 0 && length <= smallStream) || memory.used() < limit) {
            return Optional.empty();
        }
        metrics.refused();
        return Optional.of(new Busy(limit));
    }

    /** 503: the streams already running hold the memory this instance allows them. */
    static final class Busy extends ErrorResponseException {
        Busy(long limit) {
            super(HttpStatus.SERVICE_UNAVAILABLE);
            getBody().setTitle("Too many downloads at once");
            getBody().setDetail("The downloads in progress hold the memory this instance gives them ("
                    + (limit >> 20) + " MiB, zipflux.archive.stream-memory-limit); try again shortly.");
            getHeaders().set("Retry-After", "5");
        }
    }
}
