package io.zipflux.security;

import java.net.InetSocketAddress;

import reactor.core.publisher.Mono;

import org.springframework.core.env.Environment;
import org.springframework.security.web.server.util.matcher.ServerWebExchangeMatcher;
import org.springframework.web.server.ServerWebExchange;

/**
 * Matches requests that came in on the separate management port ({@code management.server.port}), if one
 * is set: that port is for the operator's network (Prometheus, probes), so its metrics need no credential,
 * and they keep answering while the key table is out of reach. Only the metrics: WebFlux serves the
 * functional API routes on that port too, and they need a credential there as everywhere. Its number is read when the request comes,
 * because a port of 0 is chosen by the system at start ({@code local.management.port}).
 */
final class ManagementPort implements ServerWebExchangeMatcher {

    private final Environment environment;

    ManagementPort(Environment environment) {
        this.environment = environment;
    }

    @Override
    public Mono<MatchResult> matches(ServerWebExchange exchange) {
        Integer port = environment.getProperty("local.management.port", Integer.class);
        // Without a port of its own, Spring Boot names the server's port as the management port too.
        boolean separate = port != null && port > 0 && !port.equals(environment.getProperty("local.server.port", Integer.class));
        InetSocketAddress local = exchange.getRequest().getLocalAddress();
        boolean management = separate && local != null && local.getPort() == port;
        return management ? MatchResult.match() : MatchResult.notMatch();
    }
}
