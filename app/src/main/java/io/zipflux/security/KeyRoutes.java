package io.zipflux.security;

import java.time.Instant;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.enums.ParameterIn;
import io.swagger.v3.oas.annotations.media.ArraySchema;
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

    private static final String TAG = "Keys";

    /** The answer of {@code POST /api/v1/keys} (the handler writes it as a map; this is its shape). */
    @Schema(name = "NewApiKey")
    record NewKey(String name, @Schema(allowableValues = {"client", "admin"}) String role, Instant createdAt,
            @Schema(description = "the key (zf_...): shown in this answer only") String key) {
    }

    @Bean
    @RouterOperations({
        @RouterOperation(path = "/api/v1/keys", method = RequestMethod.POST, beanClass = KeyHandler.class, beanMethod = "create",
                operation = @Operation(operationId = "createKey", tags = TAG, summary = "A new API key; the answer shows it, once",
                        requestBody = @RequestBody(required = true, content = @Content(mediaType = "application/json",
                                schema = @Schema(implementation = KeyHandler.KeyRequest.class))),
                        responses = {@ApiResponse(responseCode = "201", description = "the key (Location: the key)",
                                content = @Content(mediaType = "application/json", schema = @Schema(implementation = NewKey.class))),
                            @ApiResponse(responseCode = "400", description = "no body, a malformed name or an unknown role"),
                            @ApiResponse(responseCode = "408",
                                    description = "the client stopped sending its body for zipflux.upload.stall-timeout"),
                            @ApiResponse(responseCode = "409", description = "the name is taken"),
                            @ApiResponse(responseCode = "415", description = "not JSON")})),
        @RouterOperation(path = "/api/v1/keys", method = RequestMethod.GET, beanClass = KeyHandler.class, beanMethod = "list",
                operation = @Operation(operationId = "listKeys", tags = TAG, summary = "Every key's name, role and whether it is revoked",
                        responses = @ApiResponse(responseCode = "200", description = "the keys, never the keys themselves",
                                content = @Content(mediaType = "application/json",
                                        array = @ArraySchema(schema = @Schema(implementation = ApiKey.class)))))),
        @RouterOperation(path = "/api/v1/keys/{name}", method = RequestMethod.DELETE, beanClass = KeyHandler.class, beanMethod = "revoke",
                operation = @Operation(operationId = "revokeKey", tags = TAG, summary = "Revokes a key on every instance within a second",
                        parameters = @Parameter(in = ParameterIn.PATH, name = "name", required = true, schema = @Schema(type = "string")),
                        responses = {@ApiResponse(responseCode = "200", description = "the revoked key",
                                content = @Content(mediaType = "application/json", schema = @Schema(implementation = ApiKey.class))),
                            @ApiResponse(responseCode = "404", description = "no key has this name")})),
    })
    RouterFunction<ServerResponse> keyRouter(KeyHandler handler) {
        return route()
                .POST("/api/v1/keys", handler::create)
                .GET("/api/v1/keys", handler::list)
                .DELETE("/api/v1/keys/{name}", handler::revoke)
                .build();
    }
}
