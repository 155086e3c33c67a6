package io.zipflux.job;

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

/** Routes common to every job type. */
@Configuration(proxyBeanMethods = false)
class JobRoutes {

    @Bean
    @RouterOperations({
        @RouterOperation(path = "/api/v1/jobs", method = RequestMethod.GET, beanClass = JobHandler.class, beanMethod = "list",
                operation = @Operation(operationId = "listJobs", summary = "Jobs, newest first",
                        parameters = {
                            @Parameter(in = ParameterIn.QUERY, name = "type", description = "hash, export, import, url-archive"),
                            @Parameter(in = ParameterIn.QUERY, name = "state", description = "QUEUED, RUNNING, PAUSED, SUCCEEDED, FAILED, CANCELLED"),
                            @Parameter(in = ParameterIn.QUERY, name = "limit", description = "1 to 1000, default 100"),
                        },
                        responses = {@ApiResponse(responseCode = "200"), @ApiResponse(responseCode = "400"), @ApiResponse(responseCode = "503")})),
        @RouterOperation(path = "/api/v1/jobs/{id}", method = RequestMethod.GET, beanClass = JobHandler.class, beanMethod = "get",
                operation = @Operation(operationId = "getJob", summary = "One job's state, progress and result",
                        parameters = @Parameter(in = ParameterIn.PATH, name = "id", required = true),
                        responses = {@ApiResponse(responseCode = "200"), @ApiResponse(responseCode = "404")})),
        @RouterOperation(path = "/api/v1/jobs/{id}/events", method = RequestMethod.GET, beanClass = JobHandler.class, beanMethod = "events",
                operation = @Operation(operationId = "jobEvents", summary = "Server-sent job snapshots until a terminal state",
                        parameters = @Parameter(in = ParameterIn.PATH, name = "id", required = true),
                        responses = {@ApiResponse(responseCode = "200", content = @Content(mediaType = "text/event-stream")),
                            @ApiResponse(responseCode = "404")})),
        @RouterOperation(path = "/api/v1/jobs/{id}/{action}", method = RequestMethod.POST, beanClass = JobHandler.class, beanMethod = "act",
                operation = @Operation(operationId = "controlJob", summary = "Pause, resume or cancel a job, from any instance",
                        parameters = {
                            @Parameter(in = ParameterIn.PATH, name = "id", required = true),
                            @Parameter(in = ParameterIn.PATH, name = "action", required = true,
                                    schema = @Schema(allowableValues = {"pause", "resume", "cancel"})),
                        },
                        responses = {@ApiResponse(responseCode = "202"), @ApiResponse(responseCode = "404"),
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
