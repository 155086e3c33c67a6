package io.zipflux.security;

import java.time.Instant;

import io.r2dbc.spi.Readable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Repository;

/** API key rows: a name, the key's hash, a role and whether it was revoked. */
@Repository
class ApiKeyRepository {

    private static final String COLUMNS = "name, role, revoked, created_at, revoked_at";

    private final DatabaseClient db;

    ApiKeyRepository(DatabaseClient db) {
        this.db = db;
    }

    /** The new key; empty when the name is taken. */
    Mono<ApiKey> insert(String name, byte[] hash, String role) {
        return db.sql("INSERT INTO api_keys (name, key_hash, role) VALUES (:name, :hash, :role) "
                        + "ON CONFLICT (name) DO NOTHING RETURNING " + COLUMNS)
                .bind("name", name)
                .bind("hash", hash)
                .bind("role", role)
                .map(ApiKeyRepository::toKey)
                .one();
    }

    /** The key with this hash, revoked or not. */
    Mono<ApiKey> findByHash(byte[] hash) {
        return db.sql("SELECT " + COLUMNS + " FROM api_keys WHERE key_hash = :hash")
                .bind("hash", hash)
                .map(ApiKeyRepository::toKey)
                .one();
    }

    Flux<ApiKey> list() {
        return db.sql("SELECT " + COLUMNS + " FROM api_keys ORDER BY name")
                .map(ApiKeyRepository::toKey)
                .all();
    }

    /** The key, revoked now or before; empty when no key has this name. */
    Mono<ApiKey> revoke(String name) {
        return db.sql("UPDATE api_keys SET revoked = true, revoked_at = coalesce(revoked_at, now()) "
                        + "WHERE name = :name RETURNING " + COLUMNS)
                .bind("name", name)
                .map(ApiKeyRepository::toKey)
                .one();
    }

    private static ApiKey toKey(Readable row) {
        return new ApiKey(row.get("name", String.class), row.get("role", String.class),
                Boolean.TRUE.equals(row.get("revoked", Boolean.class)), row.get("created_at", Instant.class),
                row.get("revoked_at", Instant.class));
    }
}
