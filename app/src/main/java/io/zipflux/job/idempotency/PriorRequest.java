package io.zipflux.job.idempotency;

/**
 * The first request with a key, as a repeat finds it: its method, path and query, the digest of its body
 * and its answer (both null while it runs).
 */
record PriorRequest(String request, byte[] bodySha256, StoredAnswer answer) {

    boolean running() {
        return answer == null;
    }
}
