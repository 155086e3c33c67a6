package io.zipflux.job;

import java.time.Duration;

import jakarta.validation.constraints.AssertTrue;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Settings of the job platform ({@code zipflux.jobs.*}).
 *
 * @param workersEnabled whether this instance runs jobs (the API works either way)
 * @param instanceId this instance's name in job rows; empty: host name and a random suffix
 * @param concurrency jobs of one type this instance runs at once
 * @param pauseTimeout a job paused longer than this is cancelled
 * @param lease how long a job stays with an instance that stopped renewing it
 * @param controlInterval how often a running job's state is checked (pause/cancel latency) and its lease renewed
 * @param sweepInterval how often lost, unpublished and over-paused jobs are looked for
 * @param republishAfter a queued job not picked up for this long is published again
 * @param publishTimeout how long a request waits for Kafka before leaving the publish to the sweeper
 * @param topicPrefix Kafka topics are this prefix plus the job type
 * @param topicPartitions partitions of each job topic
 * @param databaseStreams CSV imports and direct CSV downloads at once (each holds a database connection while it flows)
 * @param retention ended jobs (SUCCEEDED, FAILED, CANCELLED) are deleted with their files this long after they ended
 * @param retentionBatch the most jobs one retention sweep deletes (one sweep per {@code sweepInterval}, one instance at a time)
 * @param maxAttempts runs of a job that may end with their worker dying before the job fails instead of running again
 */
@Validated
@ConfigurationProperties("zipflux.jobs")
public record JobsProperties(
        @DefaultValue("true") boolean workersEnabled,
        @DefaultValue("") String instanceId,
        @Min(1) @Max(64) @DefaultValue("4") int concurrency,
        @NotNull @DefaultValue("5m") Duration pauseTimeout,
        @NotNull @DefaultValue("10s") Duration lease,
        @NotNull @DefaultValue("200ms") Duration controlInterval,
        @NotNull @DefaultValue("1s") Duration sweepInterval,
        @NotNull @DefaultValue("5m") Duration republishAfter,
        @NotNull @DefaultValue("3s") Duration publishTimeout,
        @NotNull @DefaultValue("zipflux.jobs.") String topicPrefix,
        @Min(1) @DefaultValue("4") int topicPartitions,
        @Min(1) @DefaultValue("4") int databaseStreams,
        @NotNull @DefaultValue("7d") Duration retention,
        @Min(1) @Max(10000) @DefaultValue("100") int retentionBatch,
        @Min(1) @DefaultValue("3") int maxAttempts) {

    /** Shorter, a job could be deleted before its client has read its outcome. */
    @AssertTrue(message = "zipflux.jobs.retention must be at least 1s")
    boolean isRetentionAtLeastASecond() {
        return retention == null || retention.compareTo(Duration.ofSeconds(1)) >= 0;
    }
}
