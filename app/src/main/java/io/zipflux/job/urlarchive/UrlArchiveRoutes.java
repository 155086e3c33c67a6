package io.zipflux.job.urlarchive;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.enums.ParameterIn;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import org.springdoc.core.annotations.RouterOperation;
import org.springdoc.core.annotations.RouterOperations;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.bind.annotation.RequestMethod;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.ServerResponse;

import static org.springframework.web.reactive.function.server.RouterFunctions.route;

/** Routes of archives built from URLs; HEAD of a download is routed on its own so that it never packs anything. */
@Configuration(proxyBeanMethods = false)
class UrlArchiveRoutes {

    @Bean
    @RouterOperations({
        @RouterOperation(path = "/api/v1/archives", method = RequestMethod.POST, beanClass = UrlArchiveHandler.class, beanMethod = "create",
                operation = @Operation(operationId = "createUrlArchive",
                        summary = "Fetch URLs into a zip, as a job: {\"entries\": [{\"url\", \"name\"?}], \"name\"?, \"onError\"?: \"fail\"|\"skip\", \"callbackUrl\"?} (or {\"urls\": [...]})",
                        responses = {@ApiResponse(responseCode = "202", description = "the url-archive job"),
                            @ApiResponse(responseCode = "400", description = "empty, too many, a bad or refused URL, a duplicate or unsafe name, an unknown onError: says which entry",
                                    content = @Content(mediaType = "application/problem+json")),
                            @ApiResponse(responseCode = "503", description = "job store unavailable")})),
        @RouterOperation(path = "/api/v1/archives/{id}/download", method = RequestMethod.GET, beanClass = UrlArchiveHandler.class, beanMethod = "download",
                operation = @Operation(operationId = "downloadUrlArchive", summary = "The zip of a SUCCEEDED url-archive job (store: exact length, Range, ETag)",
                        parameters = @Parameter(in = ParameterIn.PATH, name = "id", required = true),
                        responses = {@ApiResponse(responseCode = "200", content = @Content(mediaType = "application/zip")),
                            @ApiResponse(responseCode = "206", description = "the requested range"),
                            @ApiResponse(responseCode = "404", description = "no url-archive job with this id"),
                            @ApiResponse(responseCode = "409", description = "the job has not SUCCEEDED"),
                            @ApiResponse(responseCode = "410", description = "its files were removed"),
                            @ApiResponse(responseCode = "503", description = "the downloads in progress hold the memory this instance gives them; retry after Retry-After seconds")})),
        @RouterOperation(path = "/api/v1/archives/{id}/download", method = RequestMethod.HEAD, beanClass = UrlArchiveHandler.class, beanMethod = "download",
                operation = @Operation(operationId = "urlArchiveHeaders", summary = "Headers of the zip (length, ETag) without packing it",
                        parameters = @Parameter(in = ParameterIn.PATH, name = "id", required = true))),
    })
    RouterFunction<ServerResponse> urlArchiveRouter(UrlArchiveHandler handler) {
        return route()
                .POST("/api/v1/archives", handler::create)
                .HEAD("/api/v1/archives/{id}/download", handler::download)
                .GET("/api/v1/archives/{id}/download", handler::download)
                .build();
    }
}
