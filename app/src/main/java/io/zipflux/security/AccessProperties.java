package io.zipflux.security;

import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Who may call the API ({@code zipflux.security.*}).
 *
 * @param enabled false lets every request in as one admin (for a trusted network, or to measure what checks cost)
 * @param maxActiveJobs QUEUED, RUNNING and PAUSED jobs one client may have, counted across all instances
 * @param jwtRoleClaim the token claim that holds the role (a string or a list of strings)
 * @param jwtAdminRole the value of that claim that makes an admin; any other token is a client's
 */
@Validated
@ConfigurationProperties("zipflux.security")
public record AccessProperties(
        @DefaultValue("true") boolean enabled,
        @DefaultValue("20") @Min(1) int maxActiveJobs,
        @DefaultValue("roles") @NotBlank String jwtRoleClaim,
        @DefaultValue("admin") @NotBlank String jwtAdminRole) {
}
