package io.zipflux.system;

import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;
import reactor.core.publisher.SignalType;

import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;

/** One log line per request (method, path, status, time), when {@code zipflux.logging.enabled}. */
@Component
@ConditionalOnProperty(name = "zipflux.logging.enabled", havingValue = "true")
class RequestLog implements WebFilter {

    private static final Logger log = LoggerFactory.getLogger("zipflux.requests");

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
        long start = System.nanoTime();
        return chain.filter(exchange)
                .doFinally(signal -> log(exchange, signal, start));
    }

    private static void log(ServerWebExchange exchange, SignalType signal, long start) {
        ServerHttpRequest request = exchange.getRequest();
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        String outcome = signal == SignalType.CANCEL ? " (client went away)" : "";
        log.info("{} {} {} {} ms{}", request.getMethod(), request.getURI().getRawPath(),
                exchange.getResponse().getStatusCode(), millis, outcome);
    }
}
