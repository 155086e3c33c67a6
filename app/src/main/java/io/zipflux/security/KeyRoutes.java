package io.zipflux.security;

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

import static org.springframework.web.reactive.function.server.RouterFunctions.route;

/** Routes of key management (admins only, see {@link SecurityConfig}). */
@Configuration(proxyBeanMethods = false)
class KeyRoutes {

    @Bean
    @RouterOperations({
        @RouterOperation(path = "/api/v1/keys", method = RequestMethod.POST, beanClass = KeyHandler.class, beanMethod = "create",
                operation = @Operation(operationId = "createKey", summary = "A new API key; the answer shows it, once",
                        requestBody = @RequestBody(required = true, content = @Content(mediaType = "application/json",
                                schema = @Schema(implementation = KeyHandler.KeyRequest.class))),
                        responses = {@ApiResponse(responseCode = "201"), @ApiResponse(responseCode = "400"),
                            @ApiResponse(responseCode = "401"), @ApiResponse(responseCode = "403"),
                            @ApiResponse(responseCode = "409", description = "the name is taken")})),
        @RouterOperation(path = "/api/v1/keys", method = RequestMethod.GET, beanClass = KeyHandler.class, beanMethod = "list",
                operation = @Operation(operationId = "listKeys", summary = "Every key's name, role and whether it is revoked",
                        responses = {@ApiResponse(responseCode = "200"), @ApiResponse(responseCode = "401"),
                            @ApiResponse(responseCode = "403")})),
        @RouterOperation(path = "/api/v1/keys/{name}", method = RequestMethod.DELETE, beanClass = KeyHandler.class, beanMethod = "revoke",
                operation = @Operation(operationId = "revokeKey", summary = "Revokes a key on every instance within a second",
                        parameters = @Parameter(in = ParameterIn.PATH, name = "name", required = true),
                        responses = {@ApiResponse(responseCode = "200"), @ApiResponse(responseCode = "401"),
                            @ApiResponse(responseCode = "403"), @ApiResponse(responseCode = "404")})),
    })
    RouterFunction<ServerResponse> keyRouter(KeyHandler handler) {
        return route()
                .POST("/api/v1/keys", handler::create)
                .GET("/api/v1/keys", handler::list)
                .DELETE("/api/v1/keys/{name}", handler::revoke)
                .build();
    }
}
