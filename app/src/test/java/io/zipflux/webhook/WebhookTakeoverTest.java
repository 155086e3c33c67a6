package io.zipflux.webhook;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.core.env.Environment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.ConfigurableApplicationContext;

import io.zipflux.ZipfluxApplication;
import io.zipflux.job.JobsClient;
import io.zipflux.job.JobsClient.Answer;
import io.zipflux.job.WorkerJvm;
import io.zipflux.security.TestKeys;
import io.zipflux.webhook.WebhookReceiver.Received;
import io.zipflux.webhook.WebhookReceiver.Reply;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A webhook's delivering instance lost in the middle of an attempt: killed (SIGKILL), another instance
 * takes the delivery over once its lease lapses; stopped gracefully, another takes it over at once.
 * Both deliver with the same webhook-id. This test's own instance delivers nothing; each test starts
 * and ends the instances that do.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT, properties = {
        "zipflux.data-dir=${java.io.tmpdir}/zipflux-test-data",
        "zipflux.archive.photos-dir=${java.io.tmpdir}/zipflux-test-photos",
        "zipflux.webhooks.secret=" + WebhooksTest.SECRET_ONE,
        "zipflux.webhooks.delivery-enabled=false",
        "zipflux.fetch.allow-private=true",
})
class WebhookTakeoverTest {

    private static final Duration LEASE = Duration.ofSeconds(6);

    @LocalServerPort
    private int port;

    /** This test's own client key. */
    private String key;

    @BeforeEach
    void clientKey() {
        key = TestKeys.client(environment, "webhook-takeover");
    }

    @Autowired
    private Environment environment;

    @Value("${spring.r2dbc.url}")
    private String r2dbcUrl;

    /** An instance on this test's database and broker that delivers webhooks with this lease and timeout. */
    private List<String> delivererSettings(Duration lease, Duration timeout) {
        return WorkerJvm.sharedSettings(environment,
                "--zipflux.webhooks.secret=" + WebhooksTest.SECRET_ONE,
                "--zipflux.webhooks.timeout=" + timeout.toSeconds() + "s",
                "--zipflux.webhooks.lease=" + lease.toSeconds() + "s",
                "--zipflux.webhooks.poll-interval=100ms",
                "--zipflux.fetch.allow-private=true");
    }

    private ConfigurableApplicationContext inProcess(Duration lease, Duration timeout) {
        return new SpringApplicationBuilder(ZipfluxApplication.class)
                .run(delivererSettings(lease, timeout).toArray(String[]::new));
    }

    @Test
    void deliveryOfAKilledInstanceIsMadeByAnotherWithTheSameId() throws Exception {
        try (WebhookReceiver receiver = WebhookReceiver.start((path, nth) -> nth == 1 ? Reply.noAnswer() : Reply.status(200));
             WorkerJvm deliverer = WorkerJvm.start("deliverer-jvm", delivererSettings(LEASE, Duration.ofSeconds(5)))) {
            JobsClient api = new JobsClient(port, key);
            String jobId = export(api, receiver.url("/killed"));
            Received first = receiver.await("/killed", 1, Duration.ofSeconds(30)).get(0);
            assertThat(api.job(jobId).get("callback").get("attempts").asInt()).isEqualTo(1);
            Instant leaseUntil = leaseUntil(jobId);

            deliverer.kill();
            try (ConfigurableApplicationContext taker = inProcess(LEASE, Duration.ofSeconds(5))) {
                Received second = receiver.await("/killed", 2, Duration.ofSeconds(60)).get(1);
                JsonNode callback = delivered(api, jobId);

                assertThat(second.header("webhook-id")).isEqualTo(first.header("webhook-id"));
                assertThat(second.text()).isEqualTo(first.text());
                // Measured against the lease itself: how long the killed instance took to send its attempt
                // after leasing it (a loaded machine can take a second or more) does not count.
                assertThat(leaseUntil).as("the killed attempt was made under its lease").isAfter(first.at());
                assertThat(second.at()).as("taken over once the lease (until %s) lapsed", leaseUntil)
                        .isAfterOrEqualTo(leaseUntil);
                assertThat(callback.get("attempts").asInt()).as("the killed attempt and the delivered one").isEqualTo(2);
                assertThat(callback.get("lastStatus").asInt()).isEqualTo(200);
            }
        }
    }

    @Test
    void deliveryOfAStoppedInstanceIsMadeByAnotherWithoutWaitingForItsLease() throws Exception {
        Duration lease = Duration.ofSeconds(90);
        try (WebhookReceiver receiver = WebhookReceiver.start((path, nth) -> nth == 1 ? Reply.noAnswer() : Reply.status(200))) {
            JobsClient api = new JobsClient(port, key);
            ConfigurableApplicationContext stopping = inProcess(lease, Duration.ofSeconds(60));
            String jobId = export(api, receiver.url("/stopped"));
            Received first = receiver.await("/stopped", 1, Duration.ofSeconds(30)).get(0);

            stopping.close();
            long stopped = System.nanoTime();
            try (ConfigurableApplicationContext taker = inProcess(LEASE, Duration.ofSeconds(5))) {
                Received second = receiver.await("/stopped", 2, Duration.ofSeconds(60)).get(1);

                assertThat(Duration.ofNanos(System.nanoTime() - stopped)).as("well before the stopped instance's lease")
                        .isLessThan(lease.dividedBy(3));
                assertThat(second.header("webhook-id")).isEqualTo(first.header("webhook-id"));
                assertThat(delivered(api, jobId).get("attempts").asInt()).isEqualTo(2);
            }
        }
    }

    /** The end of the lease the delivery of {@code jobId} is held under, from its row. */
    private Instant leaseUntil(String jobId) throws Exception {
        try (Connection db = DriverManager.getConnection(r2dbcUrl.replaceFirst("^r2dbc:", "jdbc:"), "postgres", "postgres");
             PreparedStatement query = db.prepareStatement("SELECT lease_until FROM webhook_deliveries WHERE job_id = ?")) {
            query.setObject(1, UUID.fromString(jobId));
            try (ResultSet row = query.executeQuery()) {
                assertThat(row.next()).as("delivery of job %s", jobId).isTrue();
                return row.getTimestamp(1).toInstant();
            }
        }
    }

    private static String export(JobsClient api, String callbackUrl) throws InterruptedException {
        Answer export = api.post("/api/v1/exports?" + WebhookReceiver.query(callbackUrl));
        assertThat(export.status()).isEqualTo(202);
        String jobId = export.body().get("id").asText();
        api.awaitState(jobId, "SUCCEEDED", Duration.ofSeconds(30));
        return jobId;
    }

    private static JsonNode delivered(JobsClient api, String jobId) throws InterruptedException {
        return api.awaitJob(jobId, Duration.ofSeconds(30),
                job -> job.get("callback").get("state").asText().equals("DELIVERED")).get("callback");
    }
}
