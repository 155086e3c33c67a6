package io.zipflux.job.idempotency;

import java.util.UUID;

/** A key held by the request now running it; {@code token} tells it apart from a later holder of the same key. */
record Reservation(IdempotencyKey key, UUID token) {

    static Reservation of(IdempotencyKey key) {
        return new Reservation(key, UUID.randomUUID());
    }
}
