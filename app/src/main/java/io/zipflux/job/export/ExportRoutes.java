package io.zipflux.job.export;

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

import io.zipflux.job.Job;
import io.zipflux.job.JobCallback;

import static org.springframework.web.reactive.function.server.RouterFunctions.route;

/** Routes of CSV exports. */
@Configuration(proxyBeanMethods = false)
class ExportRoutes {

    private static final String TAG = "Exports";

    private static final String BAD_QUERY = "a malformed day, from after to, or a spreadsheetSafe other than true/false";

    private static final String FROM = "first day, YYYY-MM-DD (UTC, included); none: from the first response";

    private static final String SAFE = "true: cells starting with =, +, -, @, tab or CR get a leading ' (safe to open in "
            + "a spreadsheet; the file no longer imports back unchanged); default false";

    private static final String TO = "last day, YYYY-MM-DD (UTC, included); none: to the last response";

    @Bean
    @RouterOperations({
        @RouterOperation(path = "/api/v1/exports", method = RequestMethod.POST, beanClass = ExportHandler.class, beanMethod = "start",
                operation = @Operation(operationId = "startExport", tags = TAG, summary = "Export the responses of a date range to CSV, as a job",
                        parameters = {@Parameter(in = ParameterIn.QUERY, name = "from", description = FROM,
                                schema = @Schema(type = "string", format = "date")),
                            @Parameter(in = ParameterIn.QUERY, name = "to", description = TO,
                                    schema = @Schema(type = "string", format = "date")),
                            @Parameter(in = ParameterIn.QUERY, name = "spreadsheetSafe", description = SAFE,
                                    schema = @Schema(type = "boolean", defaultValue = "false")),
                            @Parameter(in = ParameterIn.QUERY, name = "callbackUrl", description = JobCallback.URL_DESCRIPTION,
                                    schema = @Schema(type = "string", format = "uri"))},
                        responses = {@ApiResponse(responseCode = "202", description = "the export job (Location: the job)",
                                content = @Content(mediaType = "application/json", schema = @Schema(implementation = Job.class))),
                            @ApiResponse(responseCode = "400", description = BAD_QUERY + ", or a refused callbackUrl")})),
        @RouterOperation(path = "/api/v1/exports/{id}/download", method = RequestMethod.GET, beanClass = ExportHandler.class, beanMethod = "download",
                operation = @Operation(operationId = "downloadExport", tags = TAG, summary = "The CSV of a SUCCEEDED export (Range supported)",
                        parameters = {@Parameter(in = ParameterIn.PATH, name = "id", required = true,
                                schema = @Schema(type = "string", format = "uuid")),
                            @Parameter(in = ParameterIn.HEADER, name = "Range", description = "one or more ranges, e.g. bytes=0-1023",
                                    schema = @Schema(type = "string"))},
                        responses = {@ApiResponse(responseCode = "200", description = "the CSV",
                                content = @Content(mediaType = "text/csv", schema = @Schema(type = "string"))),
                            @ApiResponse(responseCode = "206", description = "the requested range",
                                content = @Content(mediaType = "text/csv", schema = @Schema(type = "string"))),
                            @ApiResponse(responseCode = "404", description = "no export job with this id, or the caller may not see it"),
                            @ApiResponse(responseCode = "409", description = "the export has not SUCCEEDED"),
                            @ApiResponse(responseCode = "410", description = "its file was removed"),
                            @ApiResponse(responseCode = "416", description = "a range past the end; no body")})),
        @RouterOperation(path = "/api/v1/responses.csv", method = RequestMethod.GET, beanClass = ExportHandler.class, beanMethod = "stream",
                operation = @Operation(operationId = "responsesCsv", tags = TAG, summary = "The same CSV, streamed directly (no job)",
                        parameters = {@Parameter(in = ParameterIn.QUERY, name = "from", description = FROM,
                                schema = @Schema(type = "string", format = "date")),
                            @Parameter(in = ParameterIn.QUERY, name = "to", description = TO,
                                    schema = @Schema(type = "string", format = "date")),
                            @Parameter(in = ParameterIn.QUERY, name = "spreadsheetSafe", description = SAFE,
                                    schema = @Schema(type = "boolean", defaultValue = "false"))},
                        responses = {@ApiResponse(responseCode = "200", description = "the CSV, as it is read",
                                content = @Content(mediaType = "text/csv", schema = @Schema(type = "string"))),
                            @ApiResponse(responseCode = "400", description = BAD_QUERY),
                            @ApiResponse(responseCode = "503", description = "this instance streams as many CSVs as "
                                    + "zipflux.jobs.database-streams allows")})),
    })
    RouterFunction<ServerResponse> exportRouter(ExportHandler handler) {
        return route()
                .POST("/api/v1/exports", handler::start)
                .GET("/api/v1/exports/{id}/download", handler::download)
                .GET("/api/v1/responses.csv", handler::stream)
                .build();
    }
}
