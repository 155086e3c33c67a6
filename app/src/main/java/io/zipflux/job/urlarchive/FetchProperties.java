package io.zipflux.job.urlarchive;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.annotation.Validated;

/**
 * Settings of archives built from URLs ({@code zipflux.fetch.*}; the outbound address policy under the
 * same prefix is {@code io.zipflux.outbound}'s).
 *
 * @param maxEntries URLs one request may list
 * @param concurrency transfers one job runs at a time
 * @param retries attempts after the first, per entry, that may fail in a row without receiving a byte
 * @param backoff waits between attempts
 * @param maxFileSize an entry longer than this fails (or is skipped); its bytes beyond it are never written
 * @param maxTotalSize the bytes of all entries of one job together
 * @param responseTimeout how long a transfer may wait for the origin's next bytes while it reads
 */
@Validated
@ConfigurationProperties("zipflux.fetch")
public record FetchProperties(
        @Min(1) @Max(100_000) @DefaultValue("1000") int maxEntries,
        @Min(1) @Max(256) @DefaultValue("8") int concurrency,
        @Min(0) @Max(100) @DefaultValue("5") int retries,
        @NotNull @Valid @DefaultValue Backoff backoff,
        @NotNull @DefaultValue("1GB") DataSize maxFileSize,
        @NotNull @DefaultValue("10GB") DataSize maxTotalSize,
        @NotNull @DefaultValue("30s") Duration responseTimeout) {

    /**
     * Exponential backoff with jitter between attempts.
     *
     * @param initial the wait before the first retry (each next one doubles it, up to {@code max})
     * @param max the longest computed wait
     * @param maxRetryAfter the longest an origin's {@code Retry-After} is honoured for
     */
    public record Backoff(
            @NotNull @DefaultValue("200ms") Duration initial,
            @NotNull @DefaultValue("10s") Duration max,
            @NotNull @DefaultValue("1m") Duration maxRetryAfter) {

        /**
         * The wait before attempt {@code inARow} + 1: the step doubles from {@code initial} up to
         * {@code max}, the wait is half to all of it (jitter), and at least {@code retryAfter} (null:
         * none) up to {@code maxRetryAfter}.
         */
        public Duration pause(int inARow, Duration retryAfter) {
            long step = Math.min(max.toMillis(), initial.toMillis() << Math.min(inARow - 1, 20));
            long millis = step / 2 + ThreadLocalRandom.current().nextLong(step / 2 + 1);
            if (retryAfter != null) {
                millis = Math.max(millis, Math.min(retryAfter.toMillis(), maxRetryAfter.toMillis()));
            }
            return Duration.ofMillis(millis);
        }
    }
}
