package io.zipflux.webhook;

import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.List;
import java.util.stream.Collectors;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import org.springframework.stereotype.Component;

/**
 * Standard Webhooks signatures: {@code v1,<base64 HMAC-SHA256 of "{id}.{timestamp}.{body}">}, one per
 * configured secret, space-separated.
 */
@Component
class WebhookSigner {

    private static final String ALGORITHM = "HmacSHA256";

    private final List<SecretKeySpec> keys;

    WebhookSigner(WebhooksProperties properties) {
        this.keys = properties.keys().stream().map(key -> new SecretKeySpec(key, ALGORITHM)).toList();
    }

    boolean configured() {
        return !keys.isEmpty();
    }

    String signature(String id, long timestamp, String body) {
        byte[] signed = (id + "." + timestamp + "." + body).getBytes(StandardCharsets.UTF_8);
        return keys.stream()
                .map(key -> "v1," + Base64.getEncoder().encodeToString(mac(key).doFinal(signed)))
                .collect(Collectors.joining(" "));
    }

    private static Mac mac(SecretKeySpec key) {
        try {
            Mac mac = Mac.getInstance(ALGORITHM);
            mac.init(key);
            return mac;
        }
        catch (NoSuchAlgorithmException | InvalidKeyException ex) {
            throw new IllegalStateException("HMAC-SHA256 is part of every JDK", ex);
        }
    }
}
