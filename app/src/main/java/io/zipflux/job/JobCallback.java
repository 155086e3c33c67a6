package io.zipflux.job;

/**
 * Where a job's webhook stands: {@code WAITING} for the job to end, then {@code PENDING} while being
 * delivered (and retried), {@code DELIVERED}, {@code GONE} (the receiver answered 410) or
 * {@code FAILED} (retries used up); {@code attempts} started so far (one cut short by a lost
 * instance included), and the HTTP status of the last one (null when it got no answer).
 */
public record JobCallback(String state, int attempts, Integer lastStatus) {

    /** The OpenAPI description of the {@code callbackUrl} every job-creating request takes. */
    public static final String URL_DESCRIPTION = "http(s) URL to POST the job to, signed (Standard Webhooks), when it ends; "
            + "400 when refused or when webhooks are not configured";
}
