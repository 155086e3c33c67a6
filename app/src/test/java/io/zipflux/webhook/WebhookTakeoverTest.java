package io.zipflux.webhook;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.ConfigurableApplicationContext;

import io.zipflux.ZipfluxApplication;
import io.zipflux.job.JobsClient;
import io.zipflux.job.JobsClient.Answer;
import io.zipflux.job.ZipfluxJvm;
import io.zipflux.webhook.WebhookReceiver.Received;
import io.zipflux.webhook.WebhookReceiver.Reply;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A webhook's delivering instance killed (SIGKILL) in the middle of an attempt: another instance
 * takes the delivery over once its lease lapses and delivers it, with the same webhook-id. This
 * test's own instance runs the job but delivers nothing; the first deliverer is a separate JVM.
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

    private static final List<ConfigurableApplicationContext> inProcess = new ArrayList<>();

    private static ZipfluxJvm deliverer;

    @LocalServerPort
    private int port;

    @Value("${spring.r2dbc.url}")
    private String r2dbcUrl;

    @Value("${spring.kafka.bootstrap-servers}")
    private String kafka;

    @Value("${zipflux.jobs.topic-prefix}")
    private String topicPrefix;

    @AfterAll
    static void stopInstances() {
        if (deliverer != null) {
            deliverer.close();
        }
        inProcess.forEach(ConfigurableApplicationContext::close);
    }

    /** An instance that only delivers webhooks, on this test's database and broker. */
    private List<String> delivererSettings() {
        return delivererSettings(LEASE, Duration.ofSeconds(5));
    }

    private List<String> delivererSettings(Duration lease, Duration timeout) {
        List<String> settings = new ArrayList<>(ZipfluxJvm.sharedSettings(kafka, r2dbcUrl, topicPrefix));
        settings.addAll(List.of(
                "--zipflux.jobs.workers-enabled=false",
                "--zipflux.webhooks.secret=" + WebhooksTest.SECRET_ONE,
                "--zipflux.webhooks.timeout=" + timeout.toSeconds() + "s",
                "--zipflux.webhooks.lease=" + lease.toSeconds() + "s",
                "--zipflux.webhooks.poll-interval=100ms",
                "--zipflux.fetch.allow-private=true"));
        return settings;
    }

    @Test
    void deliveryOfAKilledInstanceIsMadeByAnotherWithTheSameId() throws Exception {
        deliverer = ZipfluxJvm.start("deliverer-jvm", delivererSettings(), "Instance deliverer-jvm delivers webhooks");

        try (WebhookReceiver receiver = WebhookReceiver.start((path, nth) -> nth == 1 ? Reply.noAnswer() : Reply.status(200))) {
            JobsClient api = new JobsClient(port);
            Answer export = api.post("/api/v1/exports?" + WebhookReceiver.query(receiver.url("/takeover")));
            assertThat(export.status()).isEqualTo(202);
            String jobId = export.body().get("id").asText();
            api.awaitState(jobId, "SUCCEEDED", Duration.ofSeconds(30));
            Received first = receiver.await("/takeover", 1, Duration.ofSeconds(30)).get(0);
            assertThat(api.job(jobId).get("callback").get("attempts").asInt()).isEqualTo(1);

            deliverer.kill();
            inProcess.add(new SpringApplicationBuilder(ZipfluxApplication.class)
                    .run(delivererSettings().toArray(String[]::new)));

            Received second = receiver.await("/takeover", 2, Duration.ofSeconds(60)).get(1);
            JsonNode callback = api.awaitJob(jobId, Duration.ofSeconds(30),
                    job -> job.get("callback").get("state").asText().equals("DELIVERED")).get("callback");

            assertThat(second.header("webhook-id")).isEqualTo(first.header("webhook-id"));
            assertThat(second.text()).isEqualTo(first.text());
            assertThat(Duration.between(first.at(), second.at())).as("taken over once the lease lapsed")
                    .isGreaterThanOrEqualTo(LEASE.minusSeconds(1));
            assertThat(callback.get("attempts").asInt()).as("the killed attempt and the delivered one").isEqualTo(2);
            assertThat(callback.get("lastStatus").asInt()).isEqualTo(200);
        }
    }

    @Test
    void deliveryOfAStoppedInstanceIsMadeByAnotherWithoutWaitingForItsLease() throws Exception {
        Duration lease = Duration.ofSeconds(90);
        try (WebhookReceiver receiver = WebhookReceiver.start((path, nth) -> nth == 1 ? Reply.noAnswer() : Reply.status(200))) {
            ConfigurableApplicationContext stopping = new SpringApplicationBuilder(ZipfluxApplication.class)
                    .run(delivererSettings(lease, Duration.ofSeconds(60)).toArray(String[]::new));
            JobsClient api = new JobsClient(port);
            String jobId = api.post("/api/v1/exports?" + WebhookReceiver.query(receiver.url("/stopped"))).body().get("id").asText();
            Received first = receiver.await("/stopped", 1, Duration.ofSeconds(30)).get(0);

            stopping.close();
            long stopped = System.nanoTime();
            inProcess.add(new SpringApplicationBuilder(ZipfluxApplication.class)
                    .run(delivererSettings().toArray(String[]::new)));

            Received second = receiver.await("/stopped", 2, Duration.ofSeconds(60)).get(1);
            assertThat(Duration.ofNanos(System.nanoTime() - stopped)).as("well before the stopped instance's lease")
                    .isLessThan(lease.dividedBy(3));
            assertThat(second.header("webhook-id")).isEqualTo(first.header("webhook-id"));
            assertThat(api.awaitJob(jobId, Duration.ofSeconds(30),
                    job -> job.get("callback").get("state").asText().equals("DELIVERED")).get("callback").get("attempts").asInt())
                    .isEqualTo(2);
        }
    }
}
