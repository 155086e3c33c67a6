package io.zipflux.job.imports;

import jakarta.validation.constraints.NotNull;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.annotation.Validated;

/**
 * Settings of CSV imports ({@code zipflux.imports.*}).
 *
 * @param maxFieldSize the most one field of an imported row may hold; a longer one fails the import
 *                     (422 naming the line), so no row gets too large to export or to hold in memory
 */
@Validated
@ConfigurationProperties("zipflux.imports")
record ImportsProperties(@NotNull @DefaultValue("1MB") DataSize maxFieldSize) {
}
