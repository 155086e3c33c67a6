package io.zipflux.security;

import java.time.Duration;
import java.util.HexFormat;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Pattern;

import com.github.benmanes.caffeine.cache.AsyncLoadingCache;
import com.github.benmanes.caffeine.cache.Caffeine;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.stereotype.Service;
import org.springframework.web.ErrorResponse;

/**
 * Creates, lists and revokes API keys, and tells who a key belongs to. Checks go through a small cache
 * (a hot key is re-read in the background every {@link #REFRESH}, and no answer is older than
 * {@link #MAX_AGE}), so a key costs no database round trip per request and a revocation is seen by
 * every instance within a second.
 */
@Service
public class ApiKeys {

    static final Duration REFRESH = Duration.ofMillis(250);

    static final Duration MAX_AGE = Duration.ofMillis(750);

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._@-]{1,64}");

    private final ApiKeyRepository keys;

    /** Keyed by the key's hash (hex), so no clear key stays in memory. */
    private final AsyncLoadingCache<String, Lookup> callers;

    ApiKeys(ApiKeyRepository keys) {
        this.keys = keys;
        this.callers = Caffeine.newBuilder()
                .maximumSize(10_000)
                .refreshAfterWrite(REFRESH)
                .expireAfterWrite(MAX_AGE)
                .buildAsync((hash, executor) -> lookUp(hash).toFuture());
    }

    /**
     * What the key table said of a key: its caller (empty when unknown or revoked), or why it could not be
     * read. A failure is a value, not a failed load, so that the cache does not log a stack trace for each
     * one while the database is down; it is dropped by the request that sees it.
     */
    private record Lookup(Optional<Caller> caller, Throwable failure) {
    }

    /** A key and the one time its secret is shown. */
    public record NewKey(ApiKey key, String secret) {
    }

    /** A new key named {@code name}; 400 for a bad name or role, 409 when the name is taken. */
    public Mono<NewKey> create(String name, String role) {
        if (name == null || !NAME.matcher(name).matches()) {
            return Mono.error(new AccessProblems.BadKey("A key's name is 1 to 64 letters, digits or . _ @ -; got "
                    + (name == null ? "none" : "'" + name + "'") + "."));
        }
        if (!ApiKey.CLIENT.equals(role) && !ApiKey.ADMIN.equals(role)) {
            return Mono.error(new AccessProblems.BadKey("A key's role is 'client' or 'admin'; got '" + role + "'."));
        }
        String secret = ApiKeySecrets.generate();
        return available(keys.insert(name, ApiKeySecrets.hash(secret), role))
                .switchIfEmpty(Mono.error(() -> new AccessProblems.NameTaken(name)))
                .map(key -> new NewKey(key, secret));
    }

    public Flux<ApiKey> list() {
        return keys.list().onErrorMap(ApiKeys::unexpected, AccessProblems.Unavailable::new);
    }

    /** Revokes the key named {@code name} (again, if it was); 404 when there is none. */
    public Mono<ApiKey> revoke(String name) {
        return available(keys.revoke(name))
                .switchIfEmpty(Mono.error(() -> new AccessProblems.UnknownKey(name)));
    }

    /** Who {@code key} belongs to; empty when it is unknown or revoked; 503 when keys cannot be read. */
    Mono<Caller> caller(String key) {
        String hash = HexFormat.of().formatHex(ApiKeySecrets.hash(key));
        CompletableFuture<Lookup> lookup = callers.get(hash);
        // Shared by every request with this key: one going away must not cancel the others' lookup.
        return Mono.fromFuture(lookup, true)
                .flatMap(found -> {
                    if (found.failure() == null) {
                        return Mono.justOrEmpty(found.caller());
                    }
                    callers.asMap().remove(hash, lookup);
                    return Mono.error(new AccessProblems.Unavailable(found.failure()));
                });
    }

    private Mono<Lookup> lookUp(String hash) {
        return keys.findByHash(HexFormat.of().parseHex(hash))
                .filter(key -> !key.revoked())
                .map(key -> new Lookup(Optional.of(key.caller()), null))
                .defaultIfEmpty(new Lookup(Optional.empty(), null))
                .onErrorResume(failure -> Mono.just(new Lookup(Optional.empty(), failure)));
    }

    private static <T> Mono<T> available(Mono<T> call) {
        return call.onErrorMap(ApiKeys::unexpected, AccessProblems.Unavailable::new);
    }

    private static boolean unexpected(Throwable error) {
        return !(error instanceof ErrorResponse);
    }
}
