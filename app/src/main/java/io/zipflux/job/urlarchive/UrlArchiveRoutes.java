package io.zipflux.job.urlarchive;

import java.util.List;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.enums.ParameterIn;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.parameters.RequestBody;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import org.springdoc.core.annotations.RouterOperation;
import org.springdoc.core.annotations.RouterOperations;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.bind.annotation.RequestMethod;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.ServerResponse;

import io.zipflux.job.Job;

import static org.springframework.web.reactive.function.server.RouterFunctions.route;

/** Routes of archives built from URLs; HEAD of a download is routed on its own so that it never packs anything. */
@Configuration(proxyBeanMethods = false)
class UrlArchiveRoutes {

    private static final String TAG = "URL archives";

    private static final String UNKNOWN = "no url-archive job with this id, or the caller may not see it";

    /** The body of {@code POST /api/v1/archives} ({@link ArchiveRequest} reads it; this is its shape). */
    @Schema(name = "UrlArchiveRequest", description = "The URLs to fetch into one zip: entries, or urls (not both)")
    record UrlArchiveRequest(@Schema(description = "in zip order, at most zipflux.fetch.max-entries") List<Entry> entries,
            @Schema(description = "plain URLs, each named as the origin says") List<String> urls,
            @Schema(description = "file name of the zip, without .zip; default: the job id") String name,
            @Schema(allowableValues = {"fail", "skip"}, description = "fail (default): a failed URL fails the job; "
                    + "skip: it is left out and listed in the result's skipped") String onError,
            @Schema(description = "http(s) URL to POST the job to, signed, when it ends") String callbackUrl) {
    }

    /** One file of a {@link UrlArchiveRequest}. */
    @Schema(name = "UrlArchiveEntry")
    record Entry(@Schema(requiredMode = Schema.RequiredMode.REQUIRED, description = "absolute http(s) URL") String url,
            @Schema(description = "name in the zip; default: the Content-Disposition file name, else the URL's last segment")
            String name) {
    }

    @Bean
    @RouterOperations({
        @RouterOperation(path = "/api/v1/archives", method = RequestMethod.POST, beanClass = UrlArchiveHandler.class, beanMethod = "create",
                operation = @Operation(operationId = "createUrlArchive", tags = TAG, summary = "Fetch URLs into a zip, as a job",
                        requestBody = @RequestBody(required = true, content = @Content(mediaType = "application/json",
                                schema = @Schema(implementation = UrlArchiveRequest.class))),
                        responses = {@ApiResponse(responseCode = "202", description = "the url-archive job (Location: the job)",
                                content = @Content(mediaType = "application/json", schema = @Schema(implementation = Job.class))),
                            @ApiResponse(responseCode = "400", description = "empty, too many, a bad or refused URL, a duplicate or "
                                    + "unsafe name, an unknown onError, malformed JSON, a refused callbackUrl: says which entry"),
                            @ApiResponse(responseCode = "408",
                                    description = "the client stopped sending its body for zipflux.upload.stall-timeout"),
                            @ApiResponse(responseCode = "415", description = "not JSON")})),
        @RouterOperation(path = "/api/v1/archives/{id}/download", method = RequestMethod.GET, beanClass = UrlArchiveHandler.class, beanMethod = "download",
                operation = @Operation(operationId = "downloadUrlArchive", tags = TAG,
                        summary = "The zip of a SUCCEEDED url-archive job, packed by the archive engine (store: exact length, Range, ETag)",
                        parameters = {@Parameter(in = ParameterIn.PATH, name = "id", required = true,
                                schema = @Schema(type = "string", format = "uuid")),
                            @Parameter(in = ParameterIn.QUERY, name = "compression",
                                    schema = @Schema(allowableValues = {"store", "deflate"}),
                                    description = "store (default: exact length, ranges) or deflate (smaller, chunked)"),
                            @Parameter(in = ParameterIn.HEADER, name = "Range", description = "one range, e.g. bytes=1000-",
                                    schema = @Schema(type = "string")),
                            @Parameter(in = ParameterIn.HEADER, name = "If-Range", description = "ETag or Last-Modified of the zip",
                                    schema = @Schema(type = "string")),
                            @Parameter(in = ParameterIn.HEADER, name = "If-None-Match", description = "ETag of a copy the client has",
                                    schema = @Schema(type = "string"))},
                        responses = {@ApiResponse(responseCode = "200", description = "the whole zip",
                                content = @Content(mediaType = "application/zip", schema = @Schema(type = "string", format = "binary"))),
                            @ApiResponse(responseCode = "206", description = "the requested range (store only)",
                                content = @Content(mediaType = "application/zip", schema = @Schema(type = "string", format = "binary"))),
                            @ApiResponse(responseCode = "304", description = "If-None-Match names the zip's ETag"),
                            @ApiResponse(responseCode = "400", description = "an unknown compression"),
                            @ApiResponse(responseCode = "404", description = UNKNOWN),
                            @ApiResponse(responseCode = "409", description = "the job has not SUCCEEDED"),
                            @ApiResponse(responseCode = "410", description = "its files were removed"),
                            @ApiResponse(responseCode = "416",
                                    description = "a range past the end; no body, Content-Range: bytes */length"),
                            @ApiResponse(responseCode = "503", description = "the downloads in progress hold the memory this instance "
                                    + "gives them (zipflux.archive.stream-memory-limit)")})),
        @RouterOperation(path = "/api/v1/archives/{id}/download", method = RequestMethod.HEAD, beanClass = UrlArchiveHandler.class, beanMethod = "download",
                operation = @Operation(operationId = "urlArchiveHeaders", tags = TAG, summary = "Headers of the zip (length, ETag) without packing it",
                        parameters = {@Parameter(in = ParameterIn.PATH, name = "id", required = true,
                                schema = @Schema(type = "string", format = "uuid")),
                            @Parameter(in = ParameterIn.QUERY, name = "compression",
                                    schema = @Schema(allowableValues = {"store", "deflate"})),
                            @Parameter(in = ParameterIn.HEADER, name = "Range", description = "one range, e.g. bytes=1000-",
                                    schema = @Schema(type = "string"))},
                        responses = {@ApiResponse(responseCode = "200", description = "headers only"),
                            @ApiResponse(responseCode = "206", description = "headers of the requested range"),
                            @ApiResponse(responseCode = "304", description = "If-None-Match names the zip's ETag"),
                            @ApiResponse(responseCode = "400", description = "an unknown compression"),
                            @ApiResponse(responseCode = "404", description = UNKNOWN),
                            @ApiResponse(responseCode = "409", description = "the job has not SUCCEEDED"),
                            @ApiResponse(responseCode = "410", description = "its files were removed"),
                            @ApiResponse(responseCode = "416", description = "a range past the end")})),
    })
    RouterFunction<ServerResponse> urlArchiveRouter(UrlArchiveHandler handler) {
        return route()
                .POST("/api/v1/archives", handler::create)
                .HEAD("/api/v1/archives/{id}/download", handler::download)
                .GET("/api/v1/archives/{id}/download", handler::download)
                .build();
    }
}
