package io.zipflux.archive;

import java.nio.charset.StandardCharsets;
import java.time.Duration;

import jakarta.validation.constraints.AssertTrue;
import jakarta.validation.constraints.NotNull;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Settings of signed archive links ({@code zipflux.archive.link-*}); without a secret, archives are open.
 *
 * @param linkSecret the HMAC-SHA256 key (its UTF-8 bytes, at least 16); unset or empty: signing is off
 * @param linkMaxTtl the longest lifetime {@code POST /api/v1/links} gives a link
 */
@Validated
@ConfigurationProperties("zipflux.archive")
record LinkProperties(
        String linkSecret,
        @NotNull @DefaultValue("24h") Duration linkMaxTtl) {

    static final int MIN_SECRET_BYTES = 16;

    boolean signing() {
        return linkSecret != null && !linkSecret.isEmpty();
    }

    byte[] secretBytes() {
        return linkSecret.getBytes(StandardCharsets.UTF_8);
    }

    @AssertTrue(message = "zipflux.archive.link-secret must be at least 16 bytes (UTF-8) when set")
    boolean isLinkSecretLongEnough() {
        return !signing() || secretBytes().length >= MIN_SECRET_BYTES;
    }

    @AssertTrue(message = "zipflux.archive.link-max-ttl must be at least 1s")
    boolean isLinkMaxTtlPositive() {
        return linkMaxTtl == null || linkMaxTtl.compareTo(Duration.ofSeconds(1)) >= 0;
    }
}
