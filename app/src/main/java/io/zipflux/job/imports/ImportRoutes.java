package io.zipflux.job.imports;

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
import io.zipflux.job.JobCallback;
import io.zipflux.job.responses.ResponseColumns;

import static org.springframework.web.reactive.function.server.RouterFunctions.route;

/** Routes of CSV imports. */
@Configuration(proxyBeanMethods = false)
class ImportRoutes {

    private static final String CSV_BODY = "CSV with the header " + ResponseColumns.HEADER + " (id may be "
            + "left out), as text/csv or as the multipart field 'file'";

    private static final String TAG = "Imports";

    private static final String PROBLEM = "#/components/schemas/Problem";

    private static final String MULTIPART_FILE = "#/components/schemas/MultipartFile";

    private static final String SUCCEEDED = "the SUCCEEDED job: every row was written";

    private static final String CANCELLED = "the CANCELLED job: no row was written";

    private static final String FAILED = "the FAILED job, its error naming the line (or saying the client stopped sending "
            + "for zipflux.upload.stall-timeout): no row was written";

    private static final String NOT_CSV = "neither CSV (text/csv, application/csv, text/plain) nor multipart";

    private static final String BUSY = "this instance runs as many imports and CSV streams as zipflux.jobs.database-streams allows; "
            + "or the database connection was lost mid-import (the job FAILED, no row written: send the data again)";


    private static final String IDS = "what happens to the ids of the rows: upsert (default; a row whose id exists is "
            + "written over), keep (a row whose id exists fails the import) or new (every row gets a new id)";

    @Bean
    @RouterOperations({
        @RouterOperation(path = "/api/v1/imports", method = RequestMethod.POST, beanClass = ImportHandler.class, beanMethod = "create",
                operation = @Operation(operationId = "createImport", tags = TAG,
                        summary = "Without a body: create an import job that waits for its data. With a CSV body: the whole import",
                        parameters = {
                            @Parameter(in = ParameterIn.QUERY, name = "ids", description = IDS,
                                    schema = @Schema(allowableValues = {"upsert", "keep", "new"}, defaultValue = "upsert")),
                            @Parameter(in = ParameterIn.QUERY, name = "callbackUrl", description = JobCallback.URL_DESCRIPTION,
                                    schema = @Schema(type = "string", format = "uri")),
                        },
                        requestBody = @RequestBody(required = false, description = CSV_BODY,
                                content = {@Content(mediaType = "text/csv", schema = @Schema(type = "string")),
                                    @Content(mediaType = "multipart/form-data", schema = @Schema(ref = MULTIPART_FILE))}),
                        responses = {@ApiResponse(responseCode = "200", description = SUCCEEDED,
                                content = @Content(mediaType = "application/json", schema = @Schema(implementation = Job.class))),
                            @ApiResponse(responseCode = "201",
                                    description = "the QUEUED job (no body sent; Location: where to PUT its data)",
                                    content = @Content(mediaType = "application/json", schema = @Schema(implementation = Job.class))),
                            @ApiResponse(responseCode = "400",
                                    description = "an unknown ids value, a malformed multipart body, or a refused callbackUrl"),
                            @ApiResponse(responseCode = "409", description = CANCELLED, content = @Content(mediaType = "application/json",
                                    schema = @Schema(implementation = Job.class))),
                            @ApiResponse(responseCode = "415", description = NOT_CSV),
                            @ApiResponse(responseCode = "422", description = FAILED, content = {@Content(mediaType = "application/json",
                                    schema = @Schema(implementation = Job.class)),
                                    @Content(mediaType = "application/problem+json", schema = @Schema(ref = PROBLEM))}),
                            @ApiResponse(responseCode = "503", description = BUSY)})),
        @RouterOperation(path = "/api/v1/imports/{id}", method = RequestMethod.PUT, beanClass = ImportHandler.class, beanMethod = "upload",
                operation = @Operation(operationId = "uploadImport", tags = TAG,
                        summary = "Send the data of a created import; rows are written as they arrive, all or none; answers when it ends",
                        parameters = @Parameter(in = ParameterIn.PATH, name = "id", required = true,
                                schema = @Schema(type = "string", format = "uuid")),
                        requestBody = @RequestBody(required = true, description = CSV_BODY,
                                content = {@Content(mediaType = "text/csv", schema = @Schema(type = "string")),
                                    @Content(mediaType = "multipart/form-data", schema = @Schema(ref = MULTIPART_FILE))}),
                        responses = {@ApiResponse(responseCode = "200", description = SUCCEEDED,
                                content = @Content(mediaType = "application/json", schema = @Schema(implementation = Job.class))),
                            @ApiResponse(responseCode = "400", description = "a malformed multipart body"),
                            @ApiResponse(responseCode = "404", description = "no import job with this id, or the caller may not see it"),
                            @ApiResponse(responseCode = "409", description = CANCELLED + "; or (a problem) the job already had its data",
                                    content = {@Content(mediaType = "application/json", schema = @Schema(implementation = Job.class)),
                                    @Content(mediaType = "application/problem+json", schema = @Schema(ref = PROBLEM))}),
                            @ApiResponse(responseCode = "415", description = NOT_CSV),
                            @ApiResponse(responseCode = "422", description = FAILED, content = @Content(mediaType = "application/json",
                                    schema = @Schema(implementation = Job.class))),
                            @ApiResponse(responseCode = "503", description = BUSY)})),
    })
    RouterFunction<ServerResponse> importRouter(ImportHandler handler) {
        return route()
                .POST("/api/v1/imports", handler::create)
                .PUT("/api/v1/imports/{id}", handler::upload)
                .build();
    }
}
