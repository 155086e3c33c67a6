package io.zipflux.job.idempotency;

import java.util.Map;

/** The first answer to a keyed request, as it was sent: replayed byte for byte to its repeats. */
record StoredAnswer(int status, Map<String, String> headers, byte[] body) {
}
