package io.zipflux.archive;

import java.time.Duration;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;

/** Waiting for a condition, polled every 20 ms, with a deadline. */
final class Await {

    private Await() {
    }

    static void within(Duration limit, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("condition met within %s", limit).isLessThan(deadline);
            Thread.sleep(20);
        }
    }
}
