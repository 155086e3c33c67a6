package io.zipflux.security;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * The shape of an API key ({@code zf_} and 43 base64url characters: 256 random bits) and the hash that
 * is stored in its place. A key is random, not chosen by a person, so one SHA-256 is as good as a slow
 * password hash against a stolen table, and cheap enough to check on every request.
 */
final class ApiKeySecrets {

    static final String PREFIX = "zf_";

    private static final SecureRandom RANDOM = new SecureRandom();

    private ApiKeySecrets() {
    }

    static String generate() {
        byte[] secret = new byte[32];
        RANDOM.nextBytes(secret);
        return PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
    }

    static boolean isKey(String token) {
        return token.startsWith(PREFIX);
    }

    static byte[] hash(String key) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
        }
        catch (NoSuchAlgorithmException ex) {
            throw new IllegalStateException("Every Java runtime has SHA-256", ex);
        }
    }
}
