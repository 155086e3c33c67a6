package io.zipflux.job.hash;

import java.util.UUID;

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

import io.zipflux.job.JobCallback;

import static org.springframework.web.reactive.function.server.RouterFunctions.route;

/** Routes of hash jobs: upload a file, read its hash. */
@Configuration(proxyBeanMethods = false)
class FileRoutes {

    private static final String TAG = "Files";

    /** The answer to an upload (the handler writes it as a map; this is its shape). */
    @Schema(name = "UploadedFile", description = "An upload accepted for hashing")
    record UploadedFile(UUID id, @Schema(allowableValues = "PENDING") String status,
            @Schema(description = "the hash job, see /api/v1/jobs/{id}") UUID jobId) {
    }

    /** The answer of {@code GET /api/v1/files/{id}/hash} (the handler writes it as a map; this is its shape). */
    @Schema(name = "FileHash", description = "An uploaded file's hashes; an unknown id answers status INVALID_ID")
    record FileHash(String id,
            @Schema(allowableValues = {"PENDING", "SUCCESS", "FAILURE", "INVALID_ID"}) String status,
            @Schema(description = "hex, null until SUCCESS", nullable = true) String md5,
            @Schema(description = "hex, null until SUCCESS", nullable = true) String sha256,
            @Schema(description = "bytes (not with INVALID_ID)") Long size,
            @Schema(description = "the hash job (not with INVALID_ID)") UUID jobId,
            @Schema(description = "why it failed, or why the id is unknown", nullable = true) String error) {
    }

    @Bean
    @RouterOperations({
        @RouterOperation(path = "/api/v1/files", method = RequestMethod.POST, beanClass = FileHandler.class, beanMethod = "upload",
                operation = @Operation(operationId = "uploadFile", tags = TAG, summary = "Upload a file to be hashed; it streams to disk",
                        parameters = @Parameter(in = ParameterIn.QUERY, name = "callbackUrl", description = JobCallback.URL_DESCRIPTION,
                                schema = @Schema(type = "string", format = "uri")),
                        requestBody = @RequestBody(required = true, content = @Content(mediaType = "multipart/form-data",
                                schema = @Schema(ref = "#/components/schemas/MultipartFile"))),
                        responses = {@ApiResponse(responseCode = "202", description = "accepted: the hash job is queued",
                                content = @Content(mediaType = "application/json", schema = @Schema(implementation = UploadedFile.class))),
                            @ApiResponse(responseCode = "400",
                                    description = "no 'file' part, a malformed multipart body, or a refused callbackUrl"),
                            @ApiResponse(responseCode = "408", description = "the client stopped sending for zipflux.upload.stall-timeout"),
                            @ApiResponse(responseCode = "413", description = "larger than zipflux.upload.max-size; nothing is kept"),
                            @ApiResponse(responseCode = "415", description = "not multipart/form-data"),
                            @ApiResponse(responseCode = "507", description = "the data folder's disk is full; nothing is kept")})),
        @RouterOperation(path = "/api/v1/files/{id}/hash", method = RequestMethod.GET, beanClass = FileHandler.class, beanMethod = "hash",
                operation = @Operation(operationId = "fileHash", tags = TAG, summary = "MD5 and SHA-256 of an uploaded file",
                        parameters = @Parameter(in = ParameterIn.PATH, name = "id", required = true,
                                schema = @Schema(type = "string", format = "uuid")),
                        responses = {@ApiResponse(responseCode = "200", description = "PENDING, SUCCESS (with the hashes) or FAILURE",
                                content = @Content(mediaType = "application/json", schema = @Schema(implementation = FileHash.class))),
                            @ApiResponse(responseCode = "404",
                                    description = "status INVALID_ID: unknown or malformed id, or the caller may not see it",
                                content = @Content(mediaType = "application/json", schema = @Schema(implementation = FileHash.class)))})),
    })
    RouterFunction<ServerResponse> fileRouter(FileHandler handler) {
        return route()
                .POST("/api/v1/files", handler::upload)
                .GET("/api/v1/files/{id}/hash", handler::hash)
                .build();
    }
}
