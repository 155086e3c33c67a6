package io.zipflux.webhook;

import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Settings of webhook deliveries ({@code zipflux.webhooks.*}).
 *
 * @param secret signing secrets, space-separated ({@code whsec_} + base64 of 24 to 64 bytes); every
 *               delivery is signed with each (rotation); empty: webhooks are off and a request with a
 *               callback URL gets 400
 * @param initialBackoff wait before the first retry; each next one waits twice as long (plus up to a quarter, jitter)
 * @param maxBackoff the longest wait between two attempts
 * @param retryFor how long after the job's end a delivery is retried before it is given up (FAILED)
 * @param timeout how long one attempt waits for the receiver's answer
 * @param lease how long an attempt is this instance's; past it, another instance may take the delivery over
 * @param pollInterval how often due deliveries are looked for
 * @param concurrency deliveries in flight at once per instance
 * @param deliveryEnabled whether this instance delivers (any instance may)
 */
@Validated
@ConfigurationProperties("zipflux.webhooks")
public record WebhooksProperties(
        @NotNull @DefaultValue("") String secret,
        @NotNull @DefaultValue("5s") Duration initialBackoff,
        @NotNull @DefaultValue("1h") Duration maxBackoff,
        @NotNull @DefaultValue("24h") Duration retryFor,
        @NotNull @DefaultValue("10s") Duration timeout,
        @NotNull @DefaultValue("1m") Duration lease,
        @NotNull @DefaultValue("1s") Duration pollInterval,
        @Min(1) @Max(1024) @DefaultValue("16") int concurrency,
        @DefaultValue("true") boolean deliveryEnabled) {

    private static final String PREFIX = "whsec_";

    public WebhooksProperties {
        keys(secret);
        if (lease.compareTo(timeout) <= 0) {
            throw new IllegalArgumentException("zipflux.webhooks.lease (" + lease + ") must be longer than "
                    + "zipflux.webhooks.timeout (" + timeout + "), or a slow attempt would be taken over while it runs");
        }
    }

    /** The HMAC keys: the decoded bytes of each secret. */
    List<byte[]> keys() {
        return keys(secret);
    }

    private static List<byte[]> keys(String secret) {
        return Arrays.stream(secret.trim().split("\\s+"))
                .filter(token -> !token.isEmpty())
                .map(WebhooksProperties::key)
                .toList();
    }

    private static byte[] key(String token) {
        if (!token.startsWith(PREFIX)) {
            throw new IllegalArgumentException("zipflux.webhooks.secret: each secret starts with '" + PREFIX
                    + "' followed by base64; one of them does not");
        }
        byte[] key;
        try {
            key = Base64.getDecoder().decode(token.substring(PREFIX.length()));
        }
        catch (IllegalArgumentException ex) {
            throw new IllegalArgumentException("zipflux.webhooks.secret: the part after '" + PREFIX + "' is not base64", ex);
        }
        if (key.length < 24 || key.length > 64) {
            throw new IllegalArgumentException("zipflux.webhooks.secret: a secret must hold 24 to 64 bytes, one holds "
                    + key.length + " (make one with: echo whsec_$(head -c 32 /dev/urandom | base64))");
        }
        return key;
    }
}
