package io.zipflux.archive;

import java.time.Instant;

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

    /** The answer of {@code POST /api/v1/links} (the handler writes it as a map; this is its shape). */
    @Schema(name = "SignedLink")
    record SignedLink(@Schema(description = "path and query of the signed link: /archive/{hash}/?expires=...&signature=...") String url,
            @Schema(description = "ISO-8601 instant the link stops working") Instant expiresAt) {
    }

    @Bean
    @RouterOperation(path = "/api/v1/links", method = RequestMethod.POST, beanClass = LinkHandler.class,
            beanMethod = "create", operation = @Operation(operationId = "signArchiveLink", tags = "Links",
            summary = "A signed, expiring link to /archive/{hash}/ (needs zipflux.archive.link-secret)",
            requestBody = @RequestBody(required = true, content = @Content(mediaType = "application/json",
                    schema = @Schema(implementation = LinkHandler.LinkRequest.class))),
            responses = {
                @ApiResponse(responseCode = "200", description = "The link",
                        content = @Content(mediaType = "application/json", schema = @Schema(implementation = SignedLink.class))),
                @ApiResponse(responseCode = "400", description = "Malformed body or ttl, no hash, or a ttl under PT1S or over "
                        + "zipflux.archive.link-max-ttl"),
                @ApiResponse(responseCode = "404", description = "No such archive"),
                @ApiResponse(responseCode = "408", description = "the client stopped sending its body for zipflux.upload.stall-timeout"),
                @ApiResponse(responseCode = "409", description = "Signing is off (no link secret)"),
                @ApiResponse(responseCode = "415", description = "Not JSON"),
            }))
    RouterFunction<ServerResponse> linkRouter(LinkHandler handler) {
        return route()
                .POST("/api/v1/links", handler::create)
                .build();
    }
}
