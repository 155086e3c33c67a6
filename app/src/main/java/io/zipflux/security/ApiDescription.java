package io.zipflux.security;

import io.swagger.v3.oas.annotations.OpenAPIDefinition;
import io.swagger.v3.oas.annotations.enums.SecuritySchemeType;
import io.swagger.v3.oas.annotations.security.SecurityRequirement;
import io.swagger.v3.oas.annotations.security.SecurityScheme;

import org.springframework.context.annotation.Configuration;

/**
 * The credential in the OpenAPI description: a bearer credential (an API key or a token) for the API, so
 * that the {@code /docs} UI offers to send one. It is listed for every operation; {@code /archive/**}, the
 * one open route described, ignores it.
 */
@Configuration(proxyBeanMethods = false)
@OpenAPIDefinition(security = @SecurityRequirement(name = ApiDescription.BEARER))
@SecurityScheme(name = ApiDescription.BEARER, type = SecuritySchemeType.HTTP, scheme = "bearer",
        description = "An API key (zf_..., from `java -jar zipflux.jar keys create NAME`) or a token of the configured identity provider")
class ApiDescription {

    static final String BEARER = "bearer";
}
