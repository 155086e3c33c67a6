package io.zipflux.system;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Clocks that cut a stream whose other side stopped moving, counting only the time that is that side's
 * fault: a body the server waits for (it asked for more and nothing came), a download the client does
 * not take (everything it asked for was sent). The clock restarts whenever an item passes.
 */
public final class StallClock {

    /** Steps of a clock: it counts only steps in which it was running. */
    private static final int TICKS = 20;

    private StallClock() {
    }

    /**
     * Fires once {@code running} has held for about {@code limit} (in steps of a twentieth of it), the steps
     * in which it did not hold left out.
     */
    public static Mono<Long> idle(Duration limit, BooleanSupplier running) {
        return Flux.interval(limit.dividedBy(TICKS))
                .filter(tick -> running.getAsBoolean())
                .skip(TICKS - 1)
                .next();
    }

    /** {@code source} failing with {@code stalled} once it has sent nothing for {@code limit} while more was asked of it. */
    public static <T> Flux<T> inbound(Flux<T> source, Duration limit, Supplier<? extends Throwable> stalled) {
        return watched(source, limit, stalled, true);
    }

    /** {@code source} failing with {@code stalled} once its consumer has asked for nothing more for {@code limit}. */
    public static <T> Flux<T> outbound(Flux<T> source, Duration limit, Supplier<? extends Throwable> stalled) {
        return watched(source, limit, stalled, false);
    }

    /** The clock runs while the demand not yet met is positive ({@code whileAsked}) or zero (otherwise). */
    private static <T> Flux<T> watched(Flux<T> source, Duration limit, Supplier<? extends Throwable> stalled,
            boolean whileAsked) {
        return Flux.defer(() -> {
            AtomicLong asked = new AtomicLong();
            Mono<Long> clock = idle(limit, () -> (asked.get() > 0) == whileAsked);
            return source.doOnNext(item -> asked.getAndUpdate(n -> n == Long.MAX_VALUE ? n : Math.max(0, n - 1)))
                    .timeout(clock, item -> clock, Flux.error(stalled))
                    .doOnRequest(n -> asked.getAndUpdate(before -> before + n < 0 ? Long.MAX_VALUE : before + n));
        });
    }
}
