package io.zipflux.system;

import java.time.Duration;

import jakarta.validation.constraints.NotNull;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.annotation.Validated;

/**
 * Settings of request bodies ({@code zipflux.upload.*}).
 *
 * @param maxSize larger file uploads get 413 and leave nothing on disk
 * @param stallTimeout a request body that sends nothing this long, while the server waits for it, fails
 *        (an upload keeps nothing, an import job FAILS); time the server itself does not read (a paused import) does not count
 */
@Validated
@ConfigurationProperties("zipflux.upload")
public record UploadProperties(
        @NotNull @DefaultValue("10GB") DataSize maxSize,
        @NotNull @DefaultValue("30s") Duration stallTimeout) {
}
