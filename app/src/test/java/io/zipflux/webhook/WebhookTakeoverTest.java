package io.zipflux.webhook;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

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

    private static Process deliverer;

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
            deliverer.destroyForcibly();
        }
        inProcess.forEach(ConfigurableApplicationContext::close);
    }

    /** An instance that only delivers webhooks, on this test's database and broker. */
    private List<String> delivererSettings() {
        return List.of(
                "--server.port=0",
                "--zipflux.local-services=false",
                "--spring.kafka.bootstrap-servers=" + kafka,
                "--spring.r2dbc.url=" + r2dbcUrl,
                "--spring.r2dbc.username=postgres",
                "--spring.r2dbc.password=postgres",
                "--zipflux.jobs.topic-prefix=" + topicPrefix,
                "--zipflux.jobs.workers-enabled=false",
                "--zipflux.webhooks.secret=" + WebhooksTest.SECRET_ONE,
                "--zipflux.webhooks.timeout=5s",
                "--zipflux.webhooks.lease=" + LEASE.toSeconds() + "s",
                "--zipflux.webhooks.poll-interval=100ms",
                "--zipflux.fetch.allow-private=true",
                "--zipflux.data-dir=" + System.getProperty("java.io.tmpdir") + "/zipflux-test-data",
                "--zipflux.archive.photos-dir=" + System.getProperty("java.io.tmpdir") + "/zipflux-test-photos");
    }

    @Test
    void deliveryOfAKilledInstanceIsMadeByAnotherWithTheSameId() throws Exception {
        Path log = Files.createTempFile("zipflux-deliverer", ".log");
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m",
                "-cp", System.getProperty("java.class.path"), ZipfluxApplication.class.getName(),
                "--zipflux.jobs.instance-id=deliverer-jvm"));
        command.addAll(delivererSettings());
        deliverer = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        awaitLine(log, "Instance deliverer-jvm delivers webhooks", Duration.ofSeconds(60));

        try (WebhookReceiver receiver = WebhookReceiver.start((path, nth) -> nth == 1 ? Reply.noAnswer() : Reply.status(200))) {
            JobsClient api = new JobsClient(port);
            Answer export = api.post("/api/v1/exports?" + WebhookReceiver.query(receiver.url("/takeover")));
            assertThat(export.status()).isEqualTo(202);
            String jobId = export.body().get("id").asText();
            api.awaitState(jobId, "SUCCEEDED", Duration.ofSeconds(30));
            Received first = receiver.await("/takeover", 1, Duration.ofSeconds(30)).get(0);
            assertThat(api.job(jobId).get("callback").get("attempts").asInt()).isEqualTo(1);

            deliverer.destroyForcibly();
            assertThat(deliverer.waitFor(10, TimeUnit.SECONDS)).isTrue();
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

    private static void awaitLine(Path log, String text, Duration limit) throws Exception {
        long deadline = System.nanoTime() + limit.toNanos();
        while (!Files.readString(log).contains(text)) {
            assertThat(deliverer.isAlive()).as("deliverer JVM alive; its log:%n%s", Files.readString(log)).isTrue();
            assertThat(System.nanoTime()).as("deliverer said '%s'", text).isLessThan(deadline);
            Thread.sleep(100);
        }
    }
}
