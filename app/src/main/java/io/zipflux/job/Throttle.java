package io.zipflux.job;

import java.time.Duration;

import reactor.core.publisher.Mono;

/** Keeps a run under a rate (units per second; 0: no limit), to spare the disk or the database. */
public final class Throttle {

    private final long perSecond;

    private final long start = System.nanoTime();

    private Throttle(long perSecond) {
        this.perSecond = perSecond;
    }

    /** A throttle for one run, starting now. */
    public static Throttle perSecond(long perSecond) {
        return new Throttle(perSecond);
    }

    /** Completes once {@code done} units are due at this rate (at once when unlimited or behind). */
    public Mono<Void> after(long done) {
        if (perSecond <= 0) {
            return Mono.empty();
        }
        long wait = start + (long) (done * 1e9 / perSecond) - System.nanoTime();
        return wait > 0 ? Mono.delay(Duration.ofNanos(wait)).then() : Mono.empty();
    }
}
