package io.zipflux.job;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.enums.ParameterIn;
import io.swagger.v3.oas.annotations.media.ArraySchema;
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

/** Routes common to every job type. */
@Configuration(proxyBeanMethods = false)
class JobRoutes {

    private static final String TAG = "Jobs";

    private static final String UNKNOWN = "no job has this id, or the caller may not see it";
    @Bean
    @RouterOperations({
        @RouterOperation(path = "/api/v1/jobs", method = RequestMethod.GET, beanClass = JobHandler.class, beanMethod = "list",
                operation = @Operation(operationId = "listJobs", tags = TAG, summary = "The caller's jobs, newest first (an admin's: everyone's)",
                        parameters = {
                            @Parameter(in = ParameterIn.QUERY, name = "type", description = "only jobs of this type",
                                    schema = @Schema(allowableValues = {"hash", "export", "import", "url-archive"})),
                            @Parameter(in = ParameterIn.QUERY, name = "state", description = "only jobs in this state",
                                    schema = @Schema(allowableValues = {"QUEUED", "RUNNING", "PAUSED", "SUCCEEDED", "FAILED", "CANCELLED"})),
                            @Parameter(in = ParameterIn.QUERY, name = "limit", description = "at most this many",
                                    schema = @Schema(type = "integer", minimum = "1", maximum = "1000", defaultValue = "100")),
                        },
                        responses = {@ApiResponse(responseCode = "200", description = "the jobs",
                                content = @Content(mediaType = "application/json",
                                        array = @ArraySchema(schema = @Schema(implementation = Job.class)))),
                            @ApiResponse(responseCode = "400", description = "an unknown state, or a limit out of range")})),
        @RouterOperation(path = "/api/v1/jobs/{id}", method = RequestMethod.GET, beanClass = JobHandler.class, beanMethod = "get",
                operation = @Operation(operationId = "getJob", tags = TAG, summary = "One job's state, progress and result",
                        parameters = @Parameter(in = ParameterIn.PATH, name = "id", required = true,
                                schema = @Schema(type = "string", format = "uuid")),
                        responses = {@ApiResponse(responseCode = "200", description = "the job",
                                content = @Content(mediaType = "application/json", schema = @Schema(implementation = Job.class))),
                            @ApiResponse(responseCode = "404", description = UNKNOWN)})),
        @RouterOperation(path = "/api/v1/jobs/{id}/events", method = RequestMethod.GET, beanClass = JobHandler.class, beanMethod = "events",
                operation = @Operation(operationId = "jobEvents", tags = TAG, summary = "Server-sent job snapshots until a terminal state",
                        parameters = @Parameter(in = ParameterIn.PATH, name = "id", required = true,
                                schema = @Schema(type = "string", format = "uuid")),
                        responses = {@ApiResponse(responseCode = "200", description = "events named for the state, each a job as data",
                                content = @Content(mediaType = "text/event-stream", schema = @Schema(implementation = Job.class))),
                            @ApiResponse(responseCode = "404", description = UNKNOWN)})),
        @RouterOperation(path = "/api/v1/jobs/{id}/{action}", method = RequestMethod.POST, beanClass = JobHandler.class, beanMethod = "act",
                operation = @Operation(operationId = "controlJob", tags = TAG, summary = "Pause, resume or cancel a job, from any instance",
                        parameters = {
                            @Parameter(in = ParameterIn.PATH, name = "id", required = true,
                                    schema = @Schema(type = "string", format = "uuid")),
                            @Parameter(in = ParameterIn.PATH, name = "action", required = true,
                                    schema = @Schema(allowableValues = {"pause", "resume", "cancel"})),
                        },
                        responses = {@ApiResponse(responseCode = "202", description = "the job, moved to its new state",
                                content = @Content(mediaType = "application/json", schema = @Schema(implementation = Job.class))),
                            @ApiResponse(responseCode = "400", description = "an action other than pause, resume or cancel"),
                            @ApiResponse(responseCode = "404", description = UNKNOWN),
                            @ApiResponse(responseCode = "409", description = "the job's state does not allow it")})),
    })
    RouterFunction<ServerResponse> jobRouter(JobHandler handler) {
        return route()
                .GET("/api/v1/jobs", handler::list)
                .GET("/api/v1/jobs/{id}", handler::get)
                .GET("/api/v1/jobs/{id}/events", handler::events)
                .POST("/api/v1/jobs/{id}/{action}", handler::act)
                .build();
    }
}
