package io.zipflux.job.idempotency;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.env.Environment;

import io.zipflux.ZipfluxApplication;
import io.zipflux.job.JobsClient;
import io.zipflux.job.WorkerJvm;
import io.zipflux.job.idempotency.KeyedRequests.Reply;
import io.zipflux.security.TestKeys;
import io.zipflux.system.RawConnection;

import static io.zipflux.job.idempotency.KeyedRequests.multipart;
import static io.zipflux.job.idempotency.KeyedRequests.multipartType;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * One key sent to two instances (this test's and a second one on the same database and broker): requests
 * at the same moment make one job, every other answer being the first one or 409; and a client that goes
 * away before its answer gets, when it retries, the job its first request made.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT, properties = {
        "zipflux.data-dir=${java.io.tmpdir}/zipflux-test-data-idempotency-two",
        "zipflux.archive.photos-dir=${java.io.tmpdir}/zipflux-test-photos",
        "zipflux.jobs.lease=3s",
})
class IdempotencyAcrossInstancesTest {

    private static final int AT_ONCE = 10;

    private static ConfigurableApplicationContext second;

    @LocalServerPort
    private int port;

    @Autowired
    private Environment environment;

    @BeforeEach
    void secondInstance() {
        if (second == null) {
            second = new SpringApplicationBuilder(ZipfluxApplication.class)
                    .run(WorkerJvm.sharedSettings(environment, "--zipflux.jobs.workers-enabled=false").toArray(String[]::new));
        }
    }

    @AfterAll
    static void stopSecondInstance() {
        if (second != null) {
            second.close();
        }
    }

    private int secondPort() {
        return second.getEnvironment().getRequiredProperty("local.server.port", Integer.class);
    }

    @Test
    void requestsWithOneKeyAtOnceOnTwoInstancesMakeOneJob() throws Exception {
        String credential = TestKeys.client(environment, "idem-racer");
        List<KeyedRequests> instances = List.of(new KeyedRequests(new JobsClient(port, credential)),
                new KeyedRequests(new JobsClient(secondPort(), credential)));
        String key = UUID.randomUUID().toString();
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(AT_ONCE);
        List<Reply> replies = new ArrayList<>();
        try {
            List<Future<Reply>> sent = new ArrayList<>();
            for (int i = 0; i < AT_ONCE; i++) {
                KeyedRequests instance = instances.get(i % 2);
                sent.add(pool.submit(() -> {
                    start.await();
                    return instance.post("/api/v1/exports?from=2026-01-01&to=2026-03-31", key);
                }));
            }
            start.countDown();
            for (Future<Reply> reply : sent) {
                replies.add(reply.get(2, TimeUnit.MINUTES));
            }
        }
        finally {
            pool.shutdownNow();
        }

        List<Reply> accepted = replies.stream().filter(reply -> reply.status() == 202).toList();
        assertThat(accepted).as("answers %s", replies.stream().map(Reply::status).toList()).isNotEmpty();
        assertThat(accepted).allSatisfy(reply -> assertThat(reply.body()).isEqualTo(accepted.get(0).body()));
        assertThat(replies).filteredOn(reply -> reply.status() != 202).allSatisfy(reply -> {
            assertThat(reply.status()).isEqualTo(409);
            assertThat(reply.contentType()).isEqualTo("application/problem+json");
            assertThat(reply.text()).contains("A request with this Idempotency-Key is in progress");
        });
        assertThat(instances.get(0).jobCount("export")).isEqualTo(1);
        assertThat(instances.get(1).jobCount("export")).isEqualTo(1);
        Reply later = instances.get(1).post("/api/v1/exports?from=2026-01-01&to=2026-03-31", key);
        assertThat(later.status()).isEqualTo(202);
        assertThat(later.body()).isEqualTo(accepted.get(0).body());
    }

    @Test
    void aClientThatLeftBeforeItsAnswerGetsTheFirstJobOnRetry() throws Exception {
        String credential = TestKeys.client(environment, "idem-timeout");
        String key = UUID.randomUUID().toString();
        byte[] content = "the same upload, sent again after a timeout\n".repeat(100_000).getBytes(StandardCharsets.US_ASCII);
        byte[] body = multipart("left", "left.bin", content);

        try (RawConnection connection = new RawConnection(port, 0)) {
            connection.send("POST /api/v1/files HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + credential
                    + "\r\nIdempotency-Key: " + key + "\r\nContent-Type: " + multipartType("left")
                    + "\r\nContent-Length: " + body.length + "\r\n\r\n" + new String(body, StandardCharsets.ISO_8859_1));
        }
        KeyedRequests retrying = new KeyedRequests(new JobsClient(secondPort(), credential));
        Reply retry = awaitNotInProgress(() -> retrying.post("/api/v1/files", key, multipartType("again"),
                multipart("again", "left.bin", content)));

        assertThat(retry.status()).as(retry.text()).isEqualTo(202);
        assertThat(retry.replayed()).as("the answer of the request whose client left").isTrue();
        assertThat(retrying.jobCount("hash")).isEqualTo(1);
    }

    private static Reply awaitNotInProgress(java.util.function.Supplier<Reply> request) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        Reply reply = request.get();
        while (reply.status() == 409) {
            assertThat(System.nanoTime()).as("still in progress: %s", reply.text()).isLessThan(deadline);
            Thread.sleep(100);
            reply = request.get();
        }
        return reply;
    }
}
