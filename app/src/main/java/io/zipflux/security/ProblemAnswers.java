package io.zipflux.security;

import reactor.core.publisher.Mono;

import org.springframework.security.access.AccessDeniedException;
import org.springframework.security.core.AuthenticationException;
import org.springframework.security.web.server.ServerAuthenticationEntryPoint;
import org.springframework.security.web.server.authorization.ServerAccessDeniedHandler;
import org.springframework.web.server.ServerWebExchange;

/**
 * Refusals as errors, so that the one problem+json mapping writes them like every other answer: 401 with
 * {@code WWW-Authenticate: Bearer}, 403 for a role that does not allow the route.
 */
final class ProblemAnswers implements ServerAuthenticationEntryPoint, ServerAccessDeniedHandler {

    private static final String BEARER = "Bearer ";

    @Override
    public Mono<Void> commence(ServerWebExchange exchange, AuthenticationException refusal) {
        String authorization = exchange.getRequest().getHeaders().getFirst("Authorization");
        if (authorization == null) {
            return Mono.error(AccessProblems.Unauthorized.missing());
        }
        if (!authorization.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
            return Mono.error(AccessProblems.Unauthorized.notBearer());
        }
        return Mono.error(new AccessProblems.Unauthorized(refusal.getMessage(), true));
    }

    @Override
    public Mono<Void> handle(ServerWebExchange exchange, AccessDeniedException denied) {
        return Mono.error(AccessProblems.Forbidden.adminsOnly());
    }
}
