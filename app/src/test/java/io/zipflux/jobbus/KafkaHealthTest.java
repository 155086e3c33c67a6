package io.zipflux.jobbus;

import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.core.env.Environment;
import org.springframework.kafka.test.EmbeddedKafkaKraftBroker;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import io.zipflux.security.TestKeys;
import io.zipflux.system.HealthProbes;
import io.zipflux.system.HealthProbes.Probe;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Health of Kafka comes from a background check: with this test's own broker stopped, health and readiness
 * still answer at once, say DOWN within a few checks, and UP again once the broker is back.
 */
@DirtiesContext // its broker is gone afterwards
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT, properties = {
        "zipflux.data-dir=${java.io.tmpdir}/zipflux-test-data",
        "zipflux.archive.photos-dir=${java.io.tmpdir}/zipflux-test-photos",
        "zipflux.health.interval=500ms",
        "zipflux.health.timeout=2s",
})
class KafkaHealthTest {

    private static final Duration FEW_CHECKS = Duration.ofSeconds(8);

    /** The check timeout above: an answer that waited for a check would take this long. */
    private static final Duration CHECK_TIMEOUT = Duration.ofSeconds(2);

    private static final int PORT = freePort();

    private static EmbeddedKafkaKraftBroker broker = startBroker();

    @LocalServerPort
    private int port;

    @Autowired
    private Environment environment;

    @DynamicPropertySource
    static void ownBroker(DynamicPropertyRegistry registry) {
        registry.add("spring.kafka.bootstrap-servers", () -> "localhost:" + PORT);
    }

    @AfterAll
    static void stopBroker() {
        broker.destroy();
    }

    @Test
    void healthAnswersAtOnceFromTheLastCheckWhileTheBrokerIsDownAndRecovers() throws Exception {
        HealthProbes probes = new HealthProbes(port);
        probes.awaitComponent("kafka", "UP", Duration.ofSeconds(30));
        probes.assertFast(20, 200, CHECK_TIMEOUT);

        broker.destroy();
        long stopped = System.nanoTime();
        Probe down = probes.awaitComponent("kafka", "DOWN", FEW_CHECKS);
        Duration noticed = Duration.ofNanos(System.nanoTime() - stopped);

        assertThat(down.status()).isEqualTo(503);
        assertThat(down.component("r2dbc")).isEqualTo("UP");
        assertThat(probes.assertFast(20, 503, CHECK_TIMEOUT)).hasSize(40);
        assertThat(probes.get("/actuator/health/liveness").status()).isEqualTo(200);
        assertThat(noticed).isLessThan(FEW_CHECKS);

        broker = startBroker();
        probes.awaitComponent("kafka", "UP", Duration.ofSeconds(60));
        probes.assertFast(20, 200, CHECK_TIMEOUT);
    }

    @Test
    void detailsOnlyWithACredential() throws Exception {
        HealthProbes probes = new HealthProbes(port);
        probes.awaitComponent("kafka", "UP", Duration.ofSeconds(30));
        String key = TestKeys.client(environment, "kafka-health");

        Probe open = probes.get("/actuator/health");
        Probe detailed = probes.get("/actuator/health", key);

        assertThat(open.body().at("/components/kafka").has("details")).as("%s", open.body()).isFalse();
        assertThat(open.body().toString()).doesNotContain("clusterId", "checkedAt");
        assertThat(detailed.body().at("/components/kafka/details/clusterId").asText()).isNotBlank();
        assertThat(detailed.body().at("/components/kafka/details/checkedAt").asText()).isNotBlank();
        assertThat(detailed.body().at("/components/r2dbc/details/database").asText()).isEqualTo("PostgreSQL");
    }

    private static EmbeddedKafkaKraftBroker startBroker() {
        // The KRaft test broker ignores kafkaPorts(); its external listener is set directly instead.
        EmbeddedKafkaKraftBroker kafka = new EmbeddedKafkaKraftBroker(1, 4);
        kafka.brokerProperty("listeners", "EXTERNAL://localhost:" + PORT + ",CONTROLLER://localhost:0");
        kafka.afterPropertiesSet();
        return kafka;
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
        catch (IOException ex) {
            throw new IllegalStateException(ex);
        }
    }
}
