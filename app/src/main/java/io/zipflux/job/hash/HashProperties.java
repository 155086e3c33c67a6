package io.zipflux.job.hash;

import jakarta.validation.constraints.NotNull;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.annotation.Validated;

/**
 * Settings of hash jobs ({@code zipflux.jobs.hash.*}).
 *
 * @param maxRate bytes a hash job reads per second, to spare the disk; 0: no limit
 */
@Validated
@ConfigurationProperties("zipflux.jobs.hash")
record HashProperties(@NotNull @DefaultValue("0B") DataSize maxRate) {
}
