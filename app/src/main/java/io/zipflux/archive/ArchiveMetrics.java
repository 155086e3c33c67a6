package io.zipflux.archive;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.ToLongFunction;
import java.util.stream.Stream;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.netty.buffer.ByteBuf;
import io.netty.channel.FileRegion;
import reactor.core.publisher.Flux;
import reactor.core.publisher.SignalType;

import org.springframework.stereotype.Component;

/**
 * Archive metrics: streams in progress, bytes handed to the network, streams by outcome
 * (completed, aborted by the client, failed), downloads refused for memory, and time to first byte.
 */
@Component
class ArchiveMetrics {

    private static final Duration[] FIRST_BYTE_BUCKETS = Stream.of(5, 10, 25, 50, 100, 250, 500, 1000, 2500)
            .map(Duration::ofMillis)
            .toArray(Duration[]::new);

    private final AtomicInteger active = new AtomicInteger();

    private final Counter bytesSent;

    private final Counter completed;

    private final Counter aborted;

    private final Counter failed;

    private final Counter refused;

    private final Timer firstByte;

    ArchiveMetrics(MeterRegistry registry) {
        registry.gauge("zipflux.archive.streams.active", active);
        this.bytesSent = Counter.builder("zipflux.archive.bytes.sent")
                .description("Archive bytes handed to the network")
                .register(registry);
        this.completed = outcome(registry, "completed");
        this.aborted = outcome(registry, "aborted");
        this.failed = outcome(registry, "failed");
        this.refused = Counter.builder("zipflux.archive.refused")
                .description("Downloads answered 503 because direct memory in use was past stream-memory-limit")
                .register(registry);
        this.firstByte = Timer.builder("zipflux.archive.first.byte")
                .description("Time from request to the first archive byte")
                .serviceLevelObjectives(FIRST_BYTE_BUCKETS)
                .register(registry);
    }

    private static Counter outcome(MeterRegistry registry, String outcome) {
        return Counter.builder("zipflux.archive.streams")
                .description("Archive streams by how they ended")
                .tag("outcome", outcome)
                .register(registry);
    }

    /**
     * Counts one stream, started at {@code startNanos}, over the life of its body. A stream whose
     * client hangs up right after the last byte of a known length still counts as completed.
     */
    <T> Flux<T> track(Flux<T> body, ToLongFunction<T> size, long startNanos, long expectedBytes) {
        AtomicBoolean first = new AtomicBoolean(true);
        AtomicLong sent = new AtomicLong();
        return body
                .doOnSubscribe(subscription -> active.incrementAndGet())
                .doOnNext(chunk -> {
                    if (first.compareAndSet(true, false)) {
                        firstByte.record(System.nanoTime() - startNanos, TimeUnit.NANOSECONDS);
                    }
                    long bytes = size.applyAsLong(chunk);
                    bytesSent.increment(bytes);
                    sent.addAndGet(bytes);
                })
                .doFinally(signal -> {
                    active.decrementAndGet();
                    boolean allSent = expectedBytes >= 0 && sent.get() == expectedBytes;
                    outcomeOf(allSent ? SignalType.ON_COMPLETE : signal).increment();
                });
    }

    /** Bytes of a piece of a zero-copy body: a Netty buffer or a file region. */
    static long objectBytes(Object piece) {
        if (piece instanceof FileRegion region) {
            return region.count();
        }
        return piece instanceof ByteBuf buffer ? buffer.readableBytes() : 0;
    }

    void refused() {
        refused.increment();
    }

    private Counter outcomeOf(SignalType signal) {
        return switch (signal) {
            case ON_COMPLETE -> completed;
            case CANCEL -> aborted;
            default -> failed;
        };
    }
}
