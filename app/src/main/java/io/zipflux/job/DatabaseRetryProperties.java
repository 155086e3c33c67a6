package io.zipflux.job;

import java.time.Duration;

import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * How a running job rides out a transient database fault ({@code zipflux.jobs.database-retry.*}): its run, or
 * the save of its outcome, is tried again with exponential backoff and jitter.
 *
 * @param attempts retries after the first try (0: none); a job whose database stays away longer loses its lease
 *     and is run again later, like after an outage
 * @param firstBackoff the wait before the first retry; each one after waits twice as long
 * @param maxBackoff the longest wait between two tries
 */
@Validated
@ConfigurationProperties("zipflux.jobs.database-retry")
public record DatabaseRetryProperties(
        @Min(0) @DefaultValue("8") int attempts,
        @NotNull @DefaultValue("500ms") Duration firstBackoff,
        @NotNull @DefaultValue("10s") Duration maxBackoff) {
}
