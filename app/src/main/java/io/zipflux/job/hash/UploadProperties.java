package io.zipflux.job.hash;

import jakarta.validation.constraints.NotNull;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.annotation.Validated;

/**
 * Settings of uploads ({@code zipflux.upload.*}).
 *
 * @param maxSize larger uploads get 413 and leave nothing on disk
 */
@Validated
@ConfigurationProperties("zipflux.upload")
record UploadProperties(@NotNull @DefaultValue("10GB") DataSize maxSize) {
}
