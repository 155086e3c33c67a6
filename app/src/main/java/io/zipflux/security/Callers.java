package io.zipflux.security;

import reactor.core.publisher.Mono;

import org.springframework.stereotype.Component;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.server.ServerWebExchange;

/** The {@link Caller} of a request, as its credential was checked by the security filter chain. */
@Component
public class Callers {

    private final boolean enabled;

    Callers(AccessProperties properties) {
        this.enabled = properties.enabled();
    }

    /** The request's caller; 401 if it has none (a route left open by mistake is refused, not let in). */
    public Mono<Caller> of(ServerRequest request) {
        return of(request.exchange());
    }

    /** The exchange's caller, for a filter running after the security filter chain; 401 if it has none. */
    public Mono<Caller> of(ServerWebExchange exchange) {
        if (!enabled) {
            return Mono.just(Caller.UNCHECKED);
        }
        return exchange.getPrincipal()
                .ofType(CallerAuthentication.class)
                .map(CallerAuthentication::getPrincipal)
                .switchIfEmpty(Mono.error(AccessProblems.Unauthorized::missing));
    }

    /** Completes when the request's caller is an admin; 401 without a caller, 403 for a client. */
    Mono<Void> admin(ServerRequest request) {
        return of(request)
                .filter(Caller::admin)
                .switchIfEmpty(Mono.error(AccessProblems.Forbidden::adminsOnly))
                .then();
    }
}
