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

    private static final String TAG = "Archives";

    private static final String PROBLEM = "#/components/schemas/Problem";

    private static final String SIGNATURE = "Signing is on and the signature is missing or wrong";

    private static final String NOT_FOUND = "No such archive (an HTML page for Accept: text/html)";

    private static final String EXPIRED = "Signed link past its expiry";

    @Bean
    @RouterOperations({
        @RouterOperation(path = "/archive/{hash}/", method = RequestMethod.GET, beanClass = ArchiveHandler.class,
                beanMethod = "download", operation = @Operation(operationId = "downloadArchive", tags = TAG,
                summary = "Download a zip of the folder named by hash, streamed while it is packed (the trailing slash is optional)",
                security = {},
                parameters = {
                    @Parameter(in = ParameterIn.PATH, name = "hash", required = true,
                            description = "Name of the folder under PHOTOS_DIR (letters, digits, '-', '_', inner dots)",
                                    schema = @Schema(type = "string")),
                    @Parameter(in = ParameterIn.QUERY, name = "compression",
                            schema = @Schema(allowableValues = {"store", "deflate"}),
                            description = "store (default: exact length, ranges) or deflate (smaller, chunked)"),
                    @Parameter(in = ParameterIn.QUERY, name = "expires",
                            description = "Signed links (zipflux.archive.link-secret set): Unix seconds the link is valid until",
                                    schema = @Schema(type = "integer", format = "int64")),
                    @Parameter(in = ParameterIn.QUERY, name = "signature",
                            description = "Signed links: base64url HMAC-SHA256 of \"{hash}:{expires}\"", schema = @Schema(type = "string")),
                    @Parameter(in = ParameterIn.HEADER, name = "Range", description = "One range, e.g. bytes=1000-",
                            schema = @Schema(type = "string")),
                    @Parameter(in = ParameterIn.HEADER, name = "If-Range", description = "ETag or Last-Modified of the archive",
                            schema = @Schema(type = "string")),
                    @Parameter(in = ParameterIn.HEADER, name = "If-None-Match", description = "ETag of a copy the client has",
                            schema = @Schema(type = "string")),
                },
                responses = {
                    @ApiResponse(responseCode = "200", description = "The whole archive (store: Content-Length, ETag, Accept-Ranges)",
                            content = @Content(mediaType = "application/zip", schema = @Schema(type = "string", format = "binary"))),
                    @ApiResponse(responseCode = "206", description = "The requested range (store only)",
                            content = @Content(mediaType = "application/zip", schema = @Schema(type = "string", format = "binary"))),
                    @ApiResponse(responseCode = "304", description = "If-None-Match names the archive's ETag"),
                    @ApiResponse(responseCode = "400", description = "Unknown compression"),
                    @ApiResponse(responseCode = "403", description = SIGNATURE),
                    @ApiResponse(responseCode = "404", description = NOT_FOUND, content = {
                        @Content(mediaType = "application/problem+json", schema = @Schema(ref = PROBLEM)),
                        @Content(mediaType = "text/html", schema = @Schema(type = "string"))}),
                    @ApiResponse(responseCode = "410", description = EXPIRED),
                    @ApiResponse(responseCode = "416", description = "Range starts past the end; no body, Content-Range: bytes */length"),
                    @ApiResponse(responseCode = "503", description = "The downloads in progress hold the memory this "
                            + "instance gives them (zipflux.archive.stream-memory-limit)"),
                })),
        @RouterOperation(path = "/archive/{hash}/", method = RequestMethod.HEAD, beanClass = ArchiveHandler.class,
                beanMethod = "head", operation = @Operation(operationId = "archiveHeaders", tags = TAG,
                summary = "Headers of the archive (length, ETag) without packing it",
                security = {},
                parameters = {
                    @Parameter(in = ParameterIn.PATH, name = "hash", required = true, schema = @Schema(type = "string")),
                    @Parameter(in = ParameterIn.QUERY, name = "compression", schema = @Schema(allowableValues = {"store", "deflate"})),
                    @Parameter(in = ParameterIn.QUERY, name = "expires", schema = @Schema(type = "integer", format = "int64")),
                    @Parameter(in = ParameterIn.QUERY, name = "signature", schema = @Schema(type = "string")),
                    @Parameter(in = ParameterIn.HEADER, name = "Range", description = "One range, e.g. bytes=1000-",
                            schema = @Schema(type = "string")),
                },
                responses = {
                    @ApiResponse(responseCode = "200", description = "Headers only"),
                    @ApiResponse(responseCode = "206", description = "Headers of the requested range"),
                    @ApiResponse(responseCode = "304", description = "If-None-Match names the archive's ETag"),
                    @ApiResponse(responseCode = "400", description = "Unknown compression"),
                    @ApiResponse(responseCode = "403", description = SIGNATURE),
                    @ApiResponse(responseCode = "404", description = NOT_FOUND),
                    @ApiResponse(responseCode = "410", description = EXPIRED),
                    @ApiResponse(responseCode = "416", description = "Range starts past the end"),
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
