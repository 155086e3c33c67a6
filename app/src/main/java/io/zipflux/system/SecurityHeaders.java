package io.zipflux.system;

import reactor.core.publisher.Mono;

import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;

/**
 * Browser hardening headers: {@code X-Content-Type-Options: nosniff} on every answer, and on HTML pages
 * (the landing page, HTML error pages, the {@code /docs} UI) a restrictive Content-Security-Policy,
 * {@code Referrer-Policy: no-referrer} and {@code X-Frame-Options: DENY}. Decided when the answer is
 * committed, from its content type, so error pages written by {@code ProblemErrorHandler} get them too.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE)
class SecurityHeaders implements WebFilter {

    /** Our own pages: a stylesheet and images from this origin, nothing else (no script, no inline style). */
    static final String PAGE_POLICY = "default-src 'none'; style-src 'self'; img-src 'self'; base-uri 'none'; "
            + "form-action 'none'; frame-ancestors 'none'";

    /**
     * The Swagger UI of {@code /docs}: its scripts (the initializer too is a file: springdoc serves it, no
     * inline script), its styles (it applies inline styles: {@code 'unsafe-inline'} for styles only), the
     * SVG icons its stylesheet holds as {@code data:} URLs, and the API description fetched from here.
     */
    static final String DOCS_POLICY = "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
            + "img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

    /** Where springdoc serves the UI that {@code /docs} redirects to. */
    private static final String DOCS_PREFIX = "/swagger-ui/";

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
        ServerHttpResponse response = exchange.getResponse();
        String path = exchange.getRequest().getPath().pathWithinApplication().value();
        response.beforeCommit(() -> Mono.fromRunnable(() -> add(response.getHeaders(), path)));
        return chain.filter(exchange);
    }

    private static void add(HttpHeaders headers, String path) {
        headers.set("X-Content-Type-Options", "nosniff");
        MediaType type = headers.getContentType();
        if (type == null || !type.isCompatibleWith(MediaType.TEXT_HTML) || type.isWildcardType()) {
            return;
        }
        headers.set("Content-Security-Policy", path.startsWith(DOCS_PREFIX) ? DOCS_POLICY : PAGE_POLICY);
        headers.set("Referrer-Policy", "no-referrer");
        headers.set("X-Frame-Options", "DENY");
    }
}
