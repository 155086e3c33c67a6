package io.zipflux.archive;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.Base64;
import java.util.Optional;
import java.util.regex.Pattern;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import org.springframework.stereotype.Component;

/**
 * Signs and checks archive links: base64url (no padding) of HMAC-SHA256, keyed by the secret's
 * UTF-8 bytes, over {@code "{hash}:{expires}"} with {@code expires} in Unix seconds.
 */
@Component
class ArchiveLinks {

    private static final String ALGORITHM = "HmacSHA256";

    /** Unix seconds as a site writes them: digits only, no sign, fits a long. */
    private static final Pattern EXPIRES = Pattern.compile("[0-9]{1,18}");

    private final SecretKeySpec key;

    ArchiveLinks(LinkProperties properties) {
        this.key = properties.signing() ? new SecretKeySpec(properties.secretBytes(), ALGORITHM) : null;
    }

    boolean signing() {
        return key != null;
    }

    /** The query that makes a link to {@code hash} valid until {@code expires}. */
    String query(String hash, Instant expires) {
        long seconds = expires.getEpochSecond();
        String signature = Base64.getUrlEncoder().withoutPadding().encodeToString(mac(hash, Long.toString(seconds)));
        return "expires=" + seconds + "&signature=" + signature;
    }

    /**
     * Nothing when signing is off or the link is good; else the {@link LinkProblem} to answer: the
     * signature is checked first (in constant time), so an expired answer proves the link was genuine.
     */
    Optional<LinkProblem> refusal(String hash, Optional<String> expires, Optional<String> signature, Instant now) {
        if (!signing()) {
            return Optional.empty();
        }
        if (expires.isEmpty() || signature.isEmpty() || !EXPIRES.matcher(expires.get()).matches()) {
            return Optional.of(LinkProblem.forbidden());
        }
        Optional<byte[]> given = decode(signature.get());
        if (given.isEmpty() || !MessageDigest.isEqual(given.get(), mac(hash, expires.get()))) {
            return Optional.of(LinkProblem.forbidden());
        }
        if (now.getEpochSecond() > Long.parseLong(expires.get())) {
            return Optional.of(LinkProblem.expired());
        }
        return Optional.empty();
    }

    private static Optional<byte[]> decode(String signature) {
        try {
            return Optional.of(Base64.getUrlDecoder().decode(signature));
        }
        catch (IllegalArgumentException ex) {
            return Optional.empty();
        }
    }

    private byte[] mac(String hash, String expires) {
        try {
            // A Mac is not thread-safe; a fresh one per link costs microseconds, once per request.
            Mac mac = Mac.getInstance(ALGORITHM);
            mac.init(key);
            return mac.doFinal((hash + ":" + expires).getBytes(StandardCharsets.UTF_8));
        }
        catch (GeneralSecurityException ex) {
            throw new IllegalStateException("HmacSHA256 is part of every Java runtime", ex);
        }
    }
}
