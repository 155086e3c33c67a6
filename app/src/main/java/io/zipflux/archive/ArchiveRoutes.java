package io.zipflux.archive;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.enums.ParameterIn;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import org.springdoc.core.annotations.RouterOperation;
import org.springdoc.core.annotations.RouterOperations;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.bind.annotation.RequestMethod;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.ServerResponse;

import static org.springframework.web.reactive.function.server.RouterFunctions.route;

/** Routes of the archive endpoint; HEAD is routed on its own so that it never packs anything. */
@Configuration(proxyBeanMethods = false)
class ArchiveRoutes {

    @Bean
    @RouterOperations({
        @RouterOperation(path = "/archive/{hash}/", method = RequestMethod.GET, beanClass = ArchiveHandler.class,
                beanMethod = "download", operation = @Operation(operationId = "downloadArchive",
                summary = "Download a zip of the folder named by hash, streamed while it is packed",
                parameters = {
                    @Parameter(in = ParameterIn.PATH, name = "hash", required = true,
                            description = "Name of the folder under PHOTOS_DIR (letters, digits, '-', '_', inner dots)"),
                    @Parameter(in = ParameterIn.QUERY, name = "compression",
                            schema = @Schema(allowableValues = {"store", "deflate"}),
                            description = "store (default: exact length, ranges) or deflate (smaller, chunked)"),
                    @Parameter(in = ParameterIn.QUERY, name = "expires",
                            description = "Signed links (zipflux.archive.link-secret set): Unix seconds the link is valid until"),
                    @Parameter(in = ParameterIn.QUERY, name = "signature",
                            description = "Signed links: base64url HMAC-SHA256 of \"{hash}:{expires}\""),
                    @Parameter(in = ParameterIn.HEADER, name = "Range", description = "One range, e.g. bytes=1000-"),
                    @Parameter(in = ParameterIn.HEADER, name = "If-Range", description = "ETag or Last-Modified of the archive"),
                },
                responses = {
                    @ApiResponse(responseCode = "200", description = "The whole archive",
                            content = @Content(mediaType = "application/zip")),
                    @ApiResponse(responseCode = "206", description = "The requested range (store only)",
                            content = @Content(mediaType = "application/zip")),
                    @ApiResponse(responseCode = "400", description = "Unknown compression",
                            content = @Content(mediaType = "application/problem+json")),
                    @ApiResponse(responseCode = "403", description = "Signing is on and the signature is missing or wrong",
                            content = @Content(mediaType = "application/problem+json")),
                    @ApiResponse(responseCode = "404", description = "No such archive",
                            content = @Content(mediaType = "application/problem+json")),
                    @ApiResponse(responseCode = "410", description = "Signed link past its expiry",
                            content = @Content(mediaType = "application/problem+json")),
                    @ApiResponse(responseCode = "416", description = "Range starts past the end"),
                    @ApiResponse(responseCode = "503", description = "The downloads in progress hold the memory this "
                            + "instance gives them (zipflux.archive.stream-memory-limit); retry after Retry-After seconds",
                            content = @Content(mediaType = "application/problem+json")),
                })),
        @RouterOperation(path = "/archive/{hash}/", method = RequestMethod.HEAD, beanClass = ArchiveHandler.class,
                beanMethod = "head", operation = @Operation(operationId = "archiveHeaders",
                summary = "Headers of the archive (length, ETag) without packing it",
                parameters = @Parameter(in = ParameterIn.PATH, name = "hash", required = true),
                responses = {
                    @ApiResponse(responseCode = "200", description = "Headers only"),
                    @ApiResponse(responseCode = "403", description = "Signing is on and the signature is missing or wrong"),
                    @ApiResponse(responseCode = "404", description = "No such archive"),
                    @ApiResponse(responseCode = "410", description = "Signed link past its expiry"),
                })),
    })
    RouterFunction<ServerResponse> archiveRouter(ArchiveHandler handler) {
        return route()
                .HEAD("/archive/{hash}", handler::head)
                .HEAD("/archive/{hash}/", handler::head)
                .GET("/archive/{hash}", handler::download)
                .GET("/archive/{hash}/", handler::download)
                .build();
    }
}
