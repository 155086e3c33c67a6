package io.zipflux.system;

import java.time.Duration;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.http.server.reactive.ServerHttpRequestDecorator;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;

/**
 * Every request body runs under {@code zipflux.upload.stall-timeout}: one that sends nothing that long
 * while the server asks for more fails with {@link ClientStalledException}, so whatever reads it
 * (an upload, an import and its database stream) ends instead of waiting for ever. Time in which the
 * server asks for nothing (a paused import) does not count.
 */
@Component
class StalledBodies implements WebFilter {

    private final Duration limit;

    StalledBodies(UploadProperties properties) {
        this.limit = properties.stallTimeout();
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
        ServerHttpRequestDecorator watched = new ServerHttpRequestDecorator(exchange.getRequest()) {
            @Override
            public Flux<DataBuffer> getBody() {
                return StallClock.inbound(super.getBody(), limit, () -> new ClientStalledException("sending", limit));
            }
        };
        return chain.filter(exchange.mutate().request(watched).build());
    }
}
