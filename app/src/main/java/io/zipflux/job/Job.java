package io.zipflux.job;

import java.time.Instant;
import java.util.UUID;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.databind.JsonNode;

/**
 * A long-running job as clients see it (and, in {@code params}, what the worker needs to run it);
 * {@code owner} is the caller that created it (null for jobs older than credentials); {@code callback}
 * is null unless the job was created with a callback URL.
 */
public record Job(
        UUID id,
        String type,
        String owner,
        JobState state,
        JobProgress progress,
        Instant createdAt,
        Instant updatedAt,
        String error,
        JsonNode result,
        JobCallback callback,
        @JsonIgnore JsonNode params) {
}
