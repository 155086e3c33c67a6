package io.zipflux.security;

import java.net.URI;
import java.util.Map;

import reactor.core.publisher.Mono;

import org.springframework.http.MediaType;
import org.springframework.stereotype.Component;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;

/** Key management for admins: create (the key is shown in the answer, once), list, revoke. */
@Component
class KeyHandler {

    /** The body of a key request; {@code role} is {@code client} (the default) or {@code admin}. */
    record KeyRequest(String name, String role) {
    }

    private final ApiKeys keys;

    KeyHandler(ApiKeys keys) {
        this.keys = keys;
    }

    Mono<ServerResponse> create(ServerRequest request) {
        return request.bodyToMono(KeyRequest.class)
                .switchIfEmpty(Mono.error(() -> new AccessProblems.BadKey(
                        "A JSON body {\"name\", \"role\"} is required.")))
                .flatMap(asked -> keys.create(asked.name(), asked.role() == null ? ApiKey.CLIENT : asked.role()))
                .flatMap(created -> ServerResponse.created(URI.create("/api/v1/keys/" + created.key().name()))
                        .contentType(MediaType.APPLICATION_JSON)
                        .bodyValue(Map.of("name", created.key().name(), "role", created.key().role(),
                                "createdAt", created.key().createdAt().toString(), "key", created.secret())));
    }

    Mono<ServerResponse> list(ServerRequest request) {
        return keys.list()
                .collectList()
                .flatMap(list -> ServerResponse.ok().contentType(MediaType.APPLICATION_JSON).bodyValue(list));
    }

    Mono<ServerResponse> revoke(ServerRequest request) {
        return keys.revoke(request.pathVariable("name"))
                .flatMap(key -> ServerResponse.ok().contentType(MediaType.APPLICATION_JSON).bodyValue(key));
    }
}
