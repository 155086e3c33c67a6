package io.zipflux.chaos;

import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * One job the chaos run submits: what it should produce, the job id the API accepted, and what the
 * run saw of it (failed tries, its first terminal snapshot, any change after it).
 */
final class ChaosJob {

    /** What a job must produce, by type. */
    sealed interface Expected permits Hash, Export, Import, UrlArchive {
    }

    record Hash(byte[] content, String md5, String sha256) implements Expected {
    }

    record Export(String from, String to) implements Expected {
    }

    record Import(String marker, String csv, int rows) implements Expected {
    }

    record UrlArchive(Map<String, String> urlsByName) implements Expected {
    }

    final String type;

    final String label;

    final Expected expected;

    /** Sent with every try of the job-creating request, so that a retry returns the first job. */
    final String idempotencyKey = UUID.randomUUID().toString();

    /** What the tries that failed saw (instance: error). */
    final List<String> failedTries = new CopyOnWriteArrayList<>();

    /** Other notes for the report (an import's answer, a wrong result). */
    final List<String> notes = new CopyOnWriteArrayList<>();

    volatile String id;

    /** The uploaded file's id (hash jobs). */
    volatile String fileId;

    volatile JsonNode firstTerminal;

    /** System.nanoTime() when the job was first seen terminal. */
    volatile long terminalAt;

    /** The API answered 404 for the accepted job at its last read. */
    volatile boolean missing;

    volatile JsonNode last;

    /** Set when the job changed after it was first seen terminal: run to a second result. */
    volatile String changedAfterTerminal;

    ChaosJob(String type, String label, Expected expected) {
        this.type = type;
        this.label = label;
        this.expected = expected;
    }

    boolean accepted() {
        return id != null;
    }

    boolean terminal() {
        return firstTerminal != null;
    }

    /** Records a snapshot read from the API. */
    synchronized void seen(JsonNode job) {
        last = job;
        missing = false;
        String state = job.path("state").asText();
        boolean isTerminal = state.equals("SUCCEEDED") || state.equals("FAILED") || state.equals("CANCELLED");
        if (firstTerminal == null) {
            if (isTerminal) {
                firstTerminal = job;
                terminalAt = System.nanoTime();
            }
            return;
        }
        if (changedAfterTerminal == null && (!state.equals(firstTerminal.path("state").asText())
                || !job.path("result").equals(firstTerminal.path("result")))) {
            changedAfterTerminal = "was " + firstTerminal.path("state").asText() + " " + firstTerminal.path("result")
                    + ", then " + state + " " + job.path("result");
        }
    }

    String state() {
        JsonNode job = last;
        return job == null ? "never seen" : job.path("state").asText();
    }

    @Override
    public String toString() {
        return type + " " + label + " (job " + id + ")";
    }
}
