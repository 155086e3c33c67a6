package io.zipflux.job;

/**
 * Jobs of one type in one state, across the cluster (read from the database).
 *
 * @param type job type
 * @param state job state
 * @param jobs how many jobs
 * @param oldestSeconds how long the oldest of them (attached jobs left out) has been in this state, 0 when none
 */
record JobCount(String type, JobState state, long jobs, double oldestSeconds) {
}
