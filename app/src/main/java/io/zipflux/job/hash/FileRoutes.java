package io.zipflux.job.hash;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.enums.ParameterIn;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.parameters.RequestBody;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import org.springdoc.core.annotations.RouterOperation;
import org.springdoc.core.annotations.RouterOperations;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.bind.annotation.RequestMethod;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.ServerResponse;

import io.zipflux.job.JobCallback;

import static org.springframework.web.reactive.function.server.RouterFunctions.route;

/** Routes of hash jobs: upload a file, read its hash. */
@Configuration(proxyBeanMethods = false)
class FileRoutes {

    @Bean
    @RouterOperations({
        @RouterOperation(path = "/api/v1/files", method = RequestMethod.POST, beanClass = FileHandler.class, beanMethod = "upload",
                operation = @Operation(operationId = "uploadFile", summary = "Upload a file (multipart field 'file') to be hashed",
                        parameters = @Parameter(in = ParameterIn.QUERY, name = "callbackUrl", description = JobCallback.URL_DESCRIPTION),
                        requestBody = @RequestBody(content = @Content(mediaType = "multipart/form-data")),
                        responses = {@ApiResponse(responseCode = "202", description = "{id, status: PENDING, jobId}"),
                            @ApiResponse(responseCode = "400", description = "no 'file' part"),
                            @ApiResponse(responseCode = "413", description = "larger than zipflux.upload.max-size"),
                            @ApiResponse(responseCode = "415", description = "not multipart"),
                            @ApiResponse(responseCode = "503", description = "job store unavailable")})),
        @RouterOperation(path = "/api/v1/files/{id}/hash", method = RequestMethod.GET, beanClass = FileHandler.class, beanMethod = "hash",
                operation = @Operation(operationId = "fileHash", summary = "MD5 and SHA-256 of an uploaded file",
                        parameters = @Parameter(in = ParameterIn.PATH, name = "id", required = true),
                        responses = {@ApiResponse(responseCode = "200", description = "{id, status: PENDING|SUCCESS|FAILURE, md5, sha256, size}"),
                            @ApiResponse(responseCode = "404", description = "{status: INVALID_ID}")})),
    })
    RouterFunction<ServerResponse> fileRouter(FileHandler handler) {
        return route()
                .POST("/api/v1/files", handler::upload)
                .GET("/api/v1/files/{id}/hash", handler::hash)
                .build();
    }
}
