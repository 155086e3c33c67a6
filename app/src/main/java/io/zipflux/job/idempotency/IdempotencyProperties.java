package io.zipflux.job.idempotency;

import java.time.Duration;

import jakarta.validation.constraints.AssertTrue;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Settings of {@code Idempotency-Key} on job-creating requests ({@code zipflux.jobs.idempotency.*}).
 *
 * @param window how long after its first use a key answers with the first answer; later, it is a new key
 * @param cleanupInterval how often each instance deletes keys past their window
 * @param cleanupBatchSize keys deleted by one statement (it is repeated until none is left), so that no
 *        deletion holds many rows at once
 */
@Validated
@ConfigurationProperties("zipflux.jobs.idempotency")
public record IdempotencyProperties(
        @NotNull @DefaultValue("24h") Duration window,
        @NotNull @DefaultValue("1m") Duration cleanupInterval,
        @Min(1) @Max(100_000) @DefaultValue("1000") int cleanupBatchSize) {

    @AssertTrue(message = "zipflux.jobs.idempotency.window must be at least 1s")
    boolean isWindowAtLeastASecond() {
        return window == null || window.compareTo(Duration.ofSeconds(1)) >= 0;
    }

    @AssertTrue(message = "zipflux.jobs.idempotency.cleanup-interval must be at least 100ms")
    boolean isCleanupIntervalPositive() {
        return cleanupInterval == null || cleanupInterval.compareTo(Duration.ofMillis(100)) >= 0;
    }
}
