package io.zipflux.security;

import java.net.URI;
import java.util.Map;

import reactor.core.publisher.Mono;

import org.springframework.http.MediaType;
import org.springframework.stereotype.Component;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;

/**
 * Key management for admins: create (the key is shown in the answer, once), list, revoke. The filter chain
 * lets only admins in; each route checks again, so that no other way in can reach keys.
 */
@Component
class KeyHandler {

    /** The body of a key request; {@code role} is {@code client} (the default) or {@code admin}. */
    record KeyRequest(String name, String role) {
    }

    private final ApiKeys keys;

    private final Callers callers;

    KeyHandler(ApiKeys keys, Callers callers) {
        this.keys = keys;
        this.callers = callers;
    }

    Mono<ServerResponse> create(ServerRequest request) {
        return callers.admin(request)
                .then(request.bodyToMono(KeyRequest.class))
                .switchIfEmpty(Mono.error(() -> new AccessProblems.BadKey(
                        "A JSON body {\"name\", \"role\"} is required.")))
                .flatMap(asked -> keys.create(asked.name(), asked.role() == null ? ApiKey.CLIENT : asked.role()))
                .flatMap(created -> ServerResponse.created(URI.create("/api/v1/keys/" + created.key().name()))
                        .contentType(MediaType.APPLICATION_JSON)
                        .bodyValue(Map.of("name", created.key().name(), "role", created.key().role(),
                                "createdAt", created.key().createdAt().toString(), "key", created.secret())));
    }

    Mono<ServerResponse> list(ServerRequest request) {
        return callers.admin(request)
                .then(keys.list().collectList())
                .flatMap(list -> ServerResponse.ok().contentType(MediaType.APPLICATION_JSON).bodyValue(list));
    }

    Mono<ServerResponse> revoke(ServerRequest request) {
        return callers.admin(request)
                .then(keys.revoke(request.pathVariable("name")))
                .flatMap(key -> ServerResponse.ok().contentType(MediaType.APPLICATION_JSON).bodyValue(key));
    }
}
