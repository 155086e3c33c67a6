package io.zipflux.security;

import reactor.core.publisher.Mono;

import org.springframework.security.authentication.AuthenticationServiceException;
import org.springframework.security.authentication.BadCredentialsException;
import org.springframework.security.authentication.ReactiveAuthenticationManager;
import org.springframework.security.core.Authentication;
import org.springframework.security.oauth2.server.resource.authentication.BearerTokenAuthenticationToken;

/**
 * Checks a bearer credential: an API key ({@code zf_…}) against the key table, anything else as a JWT
 * of the configured identity provider (refused when there is none).
 */
final class CredentialCheck implements ReactiveAuthenticationManager {

    private final ApiKeys keys;

    /** Null when no identity provider is configured. */
    private final ReactiveAuthenticationManager tokens;

    CredentialCheck(ApiKeys keys, ReactiveAuthenticationManager tokens) {
        this.keys = keys;
        this.tokens = tokens;
    }

    @Override
    public Mono<Authentication> authenticate(Authentication authentication) {
        String token = ((BearerTokenAuthenticationToken) authentication).getToken();
        if (ApiKeySecrets.isKey(token)) {
            return keys.caller(token)
                    .<Authentication>map(CallerAuthentication::new)
                    .switchIfEmpty(Mono.error(() -> new BadCredentialsException("The API key is unknown or revoked.")));
        }
        if (tokens == null) {
            return Mono.error(new BadCredentialsException(
                    "The credential is not an API key (zf_...), and no identity provider is configured for tokens."));
        }
        return tokens.authenticate(authentication)
                .onErrorMap(AuthenticationServiceException.class, AccessProblems.ProviderUnavailable::new);
    }
}
