package io.zipflux.system;

import java.net.URI;
import java.time.Duration;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import io.zipflux.security.TestTokens;
import io.zipflux.system.HealthProbes.Probe;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Health of PostgreSQL comes from a background check: with the database hanging (a relay in front of it
 * turned into a black hole: connections accepted, never answered), health and readiness still answer at
 * once, say DOWN within a few checks, and UP again once it answers.
 */
@DirtiesContext // its database connections were cut
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT, properties = {
        "zipflux.data-dir=${java.io.tmpdir}/zipflux-test-data",
        "zipflux.archive.photos-dir=${java.io.tmpdir}/zipflux-test-photos",
        "zipflux.health.interval=500ms",
        "zipflux.health.timeout=2s",
})
class DatabaseHealthTest {

    private static final Duration FEW_CHECKS = Duration.ofSeconds(8);

    /** The check timeout above: an answer that waited for a check would take this long. */
    private static final Duration CHECK_TIMEOUT = Duration.ofSeconds(2);

    private static final TcpRelay DATABASE = new TcpRelay(URI.create(LocalServices.get().r2dbcUrl().substring("r2dbc:".length())).getPort());

    @LocalServerPort
    private int port;

    /** Its own database, reached through the relay; a token of the test's identity provider, checked without it. */
    @DynamicPropertySource
    static void throughTheRelay(DynamicPropertyRegistry registry) {
        String database = LocalServices.get().createDatabase();
        registry.add("spring.r2dbc.url", () -> "r2dbc:postgresql://127.0.0.1:" + DATABASE.port() + "/" + database);
        registry.add("spring.security.oauth2.resourceserver.jwt.public-key-location", TestTokens::publicKeyLocation);
    }

    @AfterAll
    static void closeRelay() {
        DATABASE.close();
    }

    @Test
    void healthAnswersAtOnceFromTheLastCheckWhileTheDatabaseHangsAndRecovers() throws Exception {
        HealthProbes probes = new HealthProbes(port);
        probes.awaitComponent("r2dbc", "UP", Duration.ofSeconds(30));
        probes.assertFast(20, 200, CHECK_TIMEOUT);

        DATABASE.blackHole();
        long cut = System.nanoTime();
        Probe down = probes.awaitComponent("r2dbc", "DOWN", FEW_CHECKS);
        Duration noticed = Duration.ofNanos(System.nanoTime() - cut);

        assertThat(down.status()).isEqualTo(503);
        assertThat(down.component("kafka")).isEqualTo("UP");
        probes.assertFast(20, 503, CHECK_TIMEOUT);
        assertThat(probes.get("/actuator/health/liveness").status()).isEqualTo(200);
        assertThat(noticed).isLessThan(FEW_CHECKS);
        // Details are the credential's: none without one, the reason with one.
        assertThat(down.body().toString()).doesNotContain("details", "no answer");
        Probe detailed = probes.get("/actuator/health", TestTokens.client("database-health"));
        // The check's own timeout, or the pool's validation timeout (also 2 s) when it comes first.
        assertThat(detailed.body().at("/components/r2dbc/details/error").asText()).as("%s", detailed.body())
                .containsAnyOf("no answer within PT2S", "Connection validation failed");

        DATABASE.restore();
        probes.awaitComponent("r2dbc", "UP", Duration.ofSeconds(30));
        probes.assertFast(20, 200, CHECK_TIMEOUT);
    }
}
