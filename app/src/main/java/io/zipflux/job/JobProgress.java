package io.zipflux.job;

/**
 * How far a job has come.
 *
 * @param done units done so far
 * @param total units in all, when known
 * @param unit "bytes", "rows" or "files"
 */
public record JobProgress(long done, Long total, String unit) {
}
