package io.zipflux.security;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.core.env.Environment;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;

import static io.zipflux.security.CredentialsTest.bearer;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tokens of an identity provider (OAuth 2 resource server) next to API keys, checked against a JWKS
 * that this test serves on loopback: the principal is {@code sub}, the role comes from the configured claim.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT, properties = {
        "zipflux.archive.photos-dir=${java.io.tmpdir}/zipflux-test-photos",
        "zipflux.data-dir=${java.io.tmpdir}/zipflux-test-data-jwt",
        "zipflux.security.jwt-role-claim=zipflux_roles",
        "spring.security.oauth2.resourceserver.jwt.issuer-uri=" + JwtTest.ISSUER,
})
class JwtTest {

    static final String ISSUER = "https://idp.zipflux.test/realms/main";

    private static final RSAKey SIGNING = newKey("idp-key-1");

    /** Another key with the same id: what a forger would sign with. */
    private static final RSAKey FORGED = newKey("idp-key-1");

    private static final HttpServer JWKS = serve(new JWKSet(SIGNING.toPublicJWK()));

    @DynamicPropertySource
    static void identityProvider(DynamicPropertyRegistry registry) {
        registry.add("spring.security.oauth2.resourceserver.jwt.jwk-set-uri",
                () -> "http://127.0.0.1:" + JWKS.getAddress().getPort() + "/jwks");
    }

    @AfterAll
    static void stopJwks() {
        JWKS.stop(0);
    }

    @Autowired
    private WebTestClient web;

    @BeforeEach
    void patientClient() {
        // A loaded machine (the suite runs beside other work) can take seconds for a request.
        web = web.mutate().responseTimeout(Duration.ofSeconds(30)).build();
    }

    @Autowired
    private Environment environment;

    @Test
    void aValidTokenIsItsSubjectWithTheRoleOfTheClaim() {
        String carol = token(SIGNING, claims("carol", ISSUER, Duration.ofMinutes(5)).claim("zipflux_roles", List.of("client")));
        String id = web.post().uri("/api/v1/exports").headers(bearer(carol)).exchange()
                .expectStatus().isAccepted()
                .expectBody(JsonNode.class).returnResult().getResponseBody().get("id").asText();
        web.get().uri("/api/v1/jobs/" + id).headers(bearer(carol)).exchange()
                .expectStatus().isOk()
                .expectBody().jsonPath("$.owner").isEqualTo("carol");
        web.get().uri("/api/v1/keys").headers(bearer(carol)).exchange().expectStatus().isForbidden();

        String dave = token(SIGNING, claims("dave", ISSUER, Duration.ofMinutes(5)));
        web.get().uri("/api/v1/jobs/" + id).headers(bearer(dave)).exchange().expectStatus().isNotFound();

        String admin = token(SIGNING, claims("erin", ISSUER, Duration.ofMinutes(5)).claim("zipflux_roles", List.of("admin")));
        web.get().uri("/api/v1/jobs/" + id).headers(bearer(admin)).exchange().expectStatus().isOk();
        web.get().uri("/api/v1/keys").headers(bearer(admin)).exchange().expectStatus().isOk();
    }

    @Test
    void anExpiredTokenIs401() {
        // Past the validator's 60 s allowance for clock skew.
        String expired = token(SIGNING, claims("carol", ISSUER, Duration.ofMinutes(-5)));
        assertRefused(expired, "expired");
    }

    @Test
    void aTokenOfAnotherIssuerIs401() {
        assertRefused(token(SIGNING, claims("carol", "https://evil.example/realms/main", Duration.ofMinutes(5))), "iss");
    }

    @Test
    void aTokenWithAWrongSignatureIs401() {
        // Spring Security does not say why a signature fails; the valid token of the same shape passes.
        assertRefused(token(FORGED, claims("carol", ISSUER, Duration.ofMinutes(5))), "Failed to validate");
    }

    @Test
    void aTokenWithoutSubjectIs401() {
        assertRefused(token(SIGNING, new JWTClaimsSet.Builder().issuer(ISSUER)
                .expirationTime(Date.from(Instant.now().plusSeconds(300)))), "subject");
    }

    @Test
    void apiKeysWorkNextToTokens() {
        web.get().uri("/api/v1/jobs").headers(bearer(TestKeys.client(environment, "jwt-neighbour"))).exchange()
                .expectStatus().isOk();
        web.get().uri("/api/v1/jobs").headers(bearer("zf_" + "B".repeat(43))).exchange()
                .expectStatus().isUnauthorized();
    }

    private void assertRefused(String token, String why) {
        web.get().uri("/api/v1/jobs").headers(bearer(token)).exchange()
                .expectStatus().isUnauthorized()
                .expectHeader().value("WWW-Authenticate", challenge -> assertThat(challenge)
                        .startsWith("Bearer error=\"invalid_token\"").containsIgnoringCase(why))
                .expectHeader().contentType("application/problem+json");
    }

    private static JWTClaimsSet.Builder claims(String subject, String issuer, Duration lifetime) {
        Instant now = Instant.now();
        return new JWTClaimsSet.Builder()
                .subject(subject)
                .issuer(issuer)
                .jwtID(UUID.randomUUID().toString())
                .issueTime(Date.from(now.minus(Duration.ofMinutes(10))))
                .expirationTime(Date.from(now.plus(lifetime)));
    }

    private static String token(RSAKey key, JWTClaimsSet.Builder claims) {
        try {
            SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(key.getKeyID()).build(),
                    claims.build());
            jwt.sign(new RSASSASigner(key));
            return jwt.serialize();
        }
        catch (JOSEException ex) {
            throw new IllegalStateException(ex);
        }
    }

    private static RSAKey newKey(String id) {
        try {
            return new RSAKeyGenerator(2048).keyID(id).generate();
        }
        catch (JOSEException ex) {
            throw new IllegalStateException(ex);
        }
    }

    private static HttpServer serve(JWKSet keys) {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            byte[] body = keys.toString().getBytes(StandardCharsets.UTF_8);
            server.createContext("/jwks", exchange -> {
                exchange.getResponseHeaders().set("Content-Type", "application/json");
                exchange.sendResponseHeaders(200, body.length);
                exchange.getResponseBody().write(body);
                exchange.close();
            });
            server.start();
            return server;
        }
        catch (IOException ex) {
            throw new IllegalStateException(ex);
        }
    }
}
