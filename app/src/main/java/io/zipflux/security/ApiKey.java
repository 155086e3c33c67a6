package io.zipflux.security;

import java.time.Instant;

/** An API key as admins see it: never the key itself, which only its creator saw, once. */
public record ApiKey(String name, String role, boolean revoked, Instant createdAt, Instant revokedAt) {

    static final String CLIENT = "client";

    static final String ADMIN = "admin";

    Caller caller() {
        return new Caller(name, ADMIN.equals(role));
    }
}
