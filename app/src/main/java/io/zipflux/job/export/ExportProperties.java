package io.zipflux.job.export;

import jakarta.validation.constraints.Min;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Settings of export jobs ({@code zipflux.jobs.export.*}).
 *
 * @param maxRate rows an export job reads per second, to spare the database; 0: no limit
 */
@Validated
@ConfigurationProperties("zipflux.jobs.export")
record ExportProperties(@Min(0) @DefaultValue("0") long maxRate) {
}
