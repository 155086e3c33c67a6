package io.zipflux.outbound;

import java.time.Duration;
import java.util.List;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Where zipflux may connect to when it fetches URLs or delivers webhooks ({@code zipflux.fetch.*}).
 *
 * @param allowPrivate lift the address policy: loopback, private, link-local and the other non-public
 *        classes become allowed (local runs and tests with origins on this machine)
 * @param allowedAddresses addresses or CIDR blocks allowed even though they are not public
 *        ({@code 127.0.0.1/32}, {@code 10.1.0.0/16}); the rest of their class stays refused
 * @param connectTimeout how long opening a connection may take
 * @param maxRedirects redirects followed per request, each hop checked like the first
 */
@Validated
@ConfigurationProperties("zipflux.fetch")
public record OutboundProperties(
        @DefaultValue("false") boolean allowPrivate,
        @NotNull @DefaultValue("") List<String> allowedAddresses,
        @NotNull @DefaultValue("5s") Duration connectTimeout,
        @Min(0) @Max(20) @DefaultValue("5") int maxRedirects) {
}
