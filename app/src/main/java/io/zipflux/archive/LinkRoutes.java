package io.zipflux.archive;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.parameters.RequestBody;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import org.springdoc.core.annotations.RouterOperation;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.bind.annotation.RequestMethod;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.ServerResponse;

import static org.springframework.web.reactive.function.server.RouterFunctions.route;

/** Route that signs archive links. */
@Configuration(proxyBeanMethods = false)
class LinkRoutes {

    @Bean
    @RouterOperation(path = "/api/v1/links", method = RequestMethod.POST, beanClass = LinkHandler.class,
            beanMethod = "create", operation = @Operation(operationId = "signArchiveLink",
            summary = "A signed, expiring link to /archive/{hash}/ (needs zipflux.archive.link-secret)",
            requestBody = @RequestBody(required = true, content = @Content(mediaType = "application/json",
                    schema = @Schema(implementation = LinkHandler.LinkRequest.class))),
            responses = {
                @ApiResponse(responseCode = "200", description = "{\"url\": path and query, \"expiresAt\": ISO-8601 instant}"),
                @ApiResponse(responseCode = "400", description = "Malformed body or ttl, or a ttl over zipflux.archive.link-max-ttl",
                        content = @Content(mediaType = "application/problem+json")),
                @ApiResponse(responseCode = "404", description = "No such archive",
                        content = @Content(mediaType = "application/problem+json")),
                @ApiResponse(responseCode = "409", description = "Signing is off (no link secret)",
                        content = @Content(mediaType = "application/problem+json")),
            }))
    RouterFunction<ServerResponse> linkRouter(LinkHandler handler) {
        return route()
                .POST("/api/v1/links", handler::create)
                .build();
    }
}
