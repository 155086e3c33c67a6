package io.zipflux.security;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;

/**
 * A test's own identity provider: an RSA key pair made for the run, whose public key an instance trusts
 * through {@code spring.security.oauth2.resourceserver.jwt.public-key-location}, and tokens signed with it.
 * Such a token is checked without the database, unlike an API key.
 */
public final class TestTokens {

    private static final KeyPair KEYS = keyPair();

    private static final Path PUBLIC_KEY = pem(KEYS.getPublic());

    private TestTokens() {
    }

    /** The value of {@code spring.security.oauth2.resourceserver.jwt.public-key-location}. */
    public static String publicKeyLocation() {
        return PUBLIC_KEY.toUri().toString();
    }

    /** A client's token (no role claim) for {@code subject}, valid for ten minutes. */
    public static String client(String subject) {
        JWTClaimsSet claims = new JWTClaimsSet.Builder()
                .subject(subject)
                .issueTime(new Date())
                .expirationTime(Date.from(Instant.now().plus(Duration.ofMinutes(10))))
                .build();
        SignedJWT token = new SignedJWT(new JWSHeader(JWSAlgorithm.RS256), claims);
        try {
            token.sign(new RSASSASigner(KEYS.getPrivate()));
        }
        catch (JOSEException ex) {
            throw new IllegalStateException("Cannot sign a test token", ex);
        }
        return token.serialize();
    }

    private static KeyPair keyPair() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(2048);
            return generator.generateKeyPair();
        }
        catch (GeneralSecurityException ex) {
            throw new IllegalStateException("Every Java runtime makes RSA keys", ex);
        }
    }

    private static Path pem(PublicKey key) {
        String text = "-----BEGIN PUBLIC KEY-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(key.getEncoded())
                + "\n-----END PUBLIC KEY-----\n";
        try {
            Path file = Files.createTempFile("zipflux-test-idp", ".pem");
            file.toFile().deleteOnExit();
            return Files.writeString(file, text);
        }
        catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }
}
