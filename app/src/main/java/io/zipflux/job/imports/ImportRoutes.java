package io.zipflux.job.imports;

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
import io.zipflux.job.responses.ResponseColumns;

import static org.springframework.web.reactive.function.server.RouterFunctions.route;

/** Routes of CSV imports. */
@Configuration(proxyBeanMethods = false)
class ImportRoutes {

    private static final String CSV_BODY = "CSV with the header " + ResponseColumns.HEADER + " (id may be "
            + "left out), as text/csv or as the multipart field 'file'";

    private static final String IDS = "what happens to the ids of the rows: upsert (default; a row whose id exists is "
            + "written over), keep (a row whose id exists fails the import) or new (every row gets a new id)";

    @Bean
    @RouterOperations({
        @RouterOperation(path = "/api/v1/imports", method = RequestMethod.POST, beanClass = ImportHandler.class, beanMethod = "create",
                operation = @Operation(operationId = "createImport",
                        summary = "Without a body: create an import job that waits for its data. With a CSV body: the whole import",
                        parameters = {
                            @Parameter(in = ParameterIn.QUERY, name = "ids", description = IDS),
                            @Parameter(in = ParameterIn.QUERY, name = "callbackUrl", description = JobCallback.URL_DESCRIPTION),
                        },
                        requestBody = @RequestBody(required = false, description = CSV_BODY,
                                content = {@Content(mediaType = "text/csv"), @Content(mediaType = "multipart/form-data")}),
                        responses = {@ApiResponse(responseCode = "201", description = "the QUEUED job (no body sent)"),
                            @ApiResponse(responseCode = "200", description = "the SUCCEEDED job: every row was written"),
                            @ApiResponse(responseCode = "409", description = "the CANCELLED job: no row was written"),
                            @ApiResponse(responseCode = "400", description = "an unknown ids value"),
                            @ApiResponse(responseCode = "415", description = "neither CSV nor multipart"),
                            @ApiResponse(responseCode = "422", description = "the FAILED job, its error naming the line: no row was written"),
                            @ApiResponse(responseCode = "503", description = "job store unavailable")})),
        @RouterOperation(path = "/api/v1/imports/{id}", method = RequestMethod.PUT, beanClass = ImportHandler.class, beanMethod = "upload",
                operation = @Operation(operationId = "uploadImport",
                        summary = "Send the data of a created import; rows are written as they arrive, all or none; answers when it ends",
                        parameters = @Parameter(in = ParameterIn.PATH, name = "id", required = true),
                        requestBody = @RequestBody(description = CSV_BODY,
                                content = {@Content(mediaType = "text/csv"), @Content(mediaType = "multipart/form-data")}),
                        responses = {@ApiResponse(responseCode = "200", description = "the SUCCEEDED job: every row was written"),
                            @ApiResponse(responseCode = "404", description = "no import job with this id"),
                            @ApiResponse(responseCode = "409", description = "the job already had its data, or was CANCELLED meanwhile"),
                            @ApiResponse(responseCode = "415", description = "neither CSV nor multipart"),
                            @ApiResponse(responseCode = "422", description = "the FAILED job, its error naming the line: no row was written")})),
    })
    RouterFunction<ServerResponse> importRouter(ImportHandler handler) {
        return route()
                .POST("/api/v1/imports", handler::create)
                .PUT("/api/v1/imports/{id}", handler::upload)
                .build();
    }
}
