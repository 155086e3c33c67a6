package io.zipflux.job;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.core.env.Environment;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.kafka.test.EmbeddedKafkaKraftBroker;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import io.zipflux.job.JobsClient.Answer;
import io.zipflux.security.TestKeys;
import io.zipflux.system.HealthProbes;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The broker goes away while the service runs, on a broker of this test's own: archives keep
 * streaming, jobs accepted meanwhile stay queued, and run once the broker is back. None is lost.
 */
@DirtiesContext // its broker or services are gone afterwards: close it rather than keep it cached
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT, properties = {
        "zipflux.data-dir=${java.io.tmpdir}/zipflux-test-data",
        "zipflux.archive.photos-dir=${java.io.tmpdir}/zipflux-test-photos",
})
class BrokerOutageTest {

    private static final int PORT = freePort();

    private static EmbeddedKafkaKraftBroker broker = startBroker();

    @LocalServerPort
    private int port;

    @Autowired
    private Environment environment;

    /** This test's own client key. */
    private String key;

    @BeforeEach
    void clientKey() {
        key = TestKeys.client(environment, "broker-outage");
    }

    @TempDir
    private Path files;

    @DynamicPropertySource
    static void ownBroker(DynamicPropertyRegistry registry) {
        registry.add("spring.kafka.bootstrap-servers", () -> "localhost:" + PORT);
    }

    private static EmbeddedKafkaKraftBroker startBroker() {
        // The KRaft test broker ignores kafkaPorts(); its external listener is set directly instead.
        EmbeddedKafkaKraftBroker kafka = new EmbeddedKafkaKraftBroker(1, 4);
        kafka.brokerProperty("listeners", "EXTERNAL://localhost:" + PORT + ",CONTROLLER://localhost:0");
        kafka.afterPropertiesSet();
        return kafka;
    }

    @AfterAll
    static void stopBroker() {
        broker.destroy();
    }

    @Test
    void jobsAcceptedWhileTheBrokerIsDownRunWhenItReturns() throws Exception {
        JobsClient client = new JobsClient(port, key);
        Path before = Files.writeString(files.resolve("before.txt"), "before the outage");
        client.awaitState(client.upload("file", before).body().get("jobId").asText(), "SUCCEEDED", Duration.ofSeconds(30));

        broker.destroy();
        Files.createDirectories(Path.of(System.getProperty("java.io.tmpdir"), "zipflux-test-photos", "outage"));
        Answer archive = client.get("/archive/outage/");
        Answer accepted = client.upload("file", Files.writeString(files.resolve("during.txt"), "during the outage"));

        assertThat(archive.status()).isEqualTo(200);
        assertThat(accepted.status()).isEqualTo(202);
        // Health comes from a background check: DOWN within an interval and a timeout; the job waits meanwhile.
        new HealthProbes(port).awaitComponent("kafka", "DOWN", Duration.ofSeconds(20));
        String jobId = accepted.body().get("jobId").asText();
        assertThat(client.job(jobId).get("state").asText()).isEqualTo("QUEUED");

        broker = startBroker();
        client.awaitState(jobId, "SUCCEEDED", Duration.ofSeconds(90));
        assertThat(client.get("/api/v1/files/" + accepted.body().get("id").asText() + "/hash").body().get("md5").asText())
                .isEqualTo(TestFiles.coreutils("md5sum", files.resolve("during.txt")));
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
