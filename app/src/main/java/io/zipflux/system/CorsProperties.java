package io.zipflux.system;

import java.util.List;

import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Which other origins browsers may call {@code /api/v1/**} and {@code /archive/**} from
 * ({@code zipflux.http.cors-origins}); none by default.
 *
 * @param corsOrigins origins such as {@code https://forms.example.org} (scheme, host, optional port)
 */
@Validated
@ConfigurationProperties("zipflux.http")
record CorsProperties(@NotNull @DefaultValue List<@Pattern(regexp = "https?://[^/*\\s]+",
        message = "must be an origin such as https://site.example (scheme and host, no path, no wildcard)") String> corsOrigins) {
}
