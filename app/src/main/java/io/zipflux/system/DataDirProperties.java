package io.zipflux.system;

import java.nio.file.Path;

import jakarta.validation.constraints.NotNull;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Where the service keeps its files ({@code zipflux.data-dir}).
 *
 * @param dataDir folder of uploads, exports and built archives
 */
@Validated
@ConfigurationProperties("zipflux")
record DataDirProperties(@NotNull @DefaultValue("data") Path dataDir) {
}
