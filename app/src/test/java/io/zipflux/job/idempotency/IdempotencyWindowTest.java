package io.zipflux.job.idempotency;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.core.env.Environment;

import io.zipflux.job.JobsClient;
import io.zipflux.job.idempotency.KeyedRequests.Reply;
import io.zipflux.security.TestKeys;
import io.zipflux.system.DatabaseMigrations;

import static org.assertj.core.api.Assertions.assertThat;

/** A key is kept for {@code zipflux.jobs.idempotency.window} (2 s here): past it, it makes a new job, and its row is deleted. */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT, properties = {
        "zipflux.data-dir=${java.io.tmpdir}/zipflux-test-data-idempotency-window",
        "zipflux.archive.photos-dir=${java.io.tmpdir}/zipflux-test-photos",
        "zipflux.jobs.idempotency.window=2s",
        "zipflux.jobs.idempotency.cleanup-interval=200ms",
        "zipflux.jobs.idempotency.cleanup-batch-size=2",
})
class IdempotencyWindowTest {

    private static final Duration WINDOW = Duration.ofSeconds(2);

    @LocalServerPort
    private int port;

    @Autowired
    private Environment environment;

    @Test
    void aKeyPastItsWindowMakesANewJob() throws Exception {
        KeyedRequests client = new KeyedRequests(new JobsClient(port, TestKeys.client(environment, "idem-window")));
        String key = UUID.randomUUID().toString();
        long sent = System.nanoTime();
        Reply first = client.post("/api/v1/imports", key);
        Reply within = client.post("/api/v1/imports", key);

        Reply after = within;
        long deadline = sent + Duration.ofSeconds(30).toNanos();
        while (after.replayed()) {
            assertThat(System.nanoTime()).as("the key still answers the first job").isLessThan(deadline);
            Thread.sleep(100);
            after = client.post("/api/v1/imports", key);
        }

        assertThat(first.status()).isEqualTo(201);
        assertThat(within.replayed()).as("a repeat within the window").isTrue();
        assertThat(Duration.ofNanos(System.nanoTime() - sent)).isGreaterThanOrEqualTo(WINDOW);
        assertThat(after.status()).isEqualTo(201);
        assertThat(after.jobId()).isNotEqualTo(first.jobId());
        assertThat(client.jobCount("import")).isEqualTo(2);
    }

    @Test
    void keysPastTheirWindowAreDeletedBatchAfterBatch() throws Exception {
        String caller = "idem-cleanup";
        KeyedRequests client = new KeyedRequests(new JobsClient(port, TestKeys.client(environment, caller)));
        for (int i = 0; i < 5; i++) {
            assertThat(client.post("/api/v1/imports", "cleanup-" + i).status()).isEqualTo(201);
        }
        long kept = keysOf(caller);

        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (keysOf(caller) > 0) {
            assertThat(System.nanoTime()).as("keys of %s left", caller).isLessThan(deadline);
            Thread.sleep(100);
        }
        assertThat(kept).as("kept within the window (unless this machine took the whole window to send them)")
                .isPositive();
    }

    private long keysOf(String caller) throws Exception {
        String url = DatabaseMigrations.jdbcUrlOf(environment.getRequiredProperty("spring.r2dbc.url"));
        try (Connection connection = DriverManager.getConnection(url, "postgres", "postgres");
             PreparedStatement count = connection.prepareStatement("SELECT count(*) FROM idempotency_keys WHERE caller = ?")) {
            count.setString(1, caller);
            try (ResultSet rows = count.executeQuery()) {
                rows.next();
                return rows.getLong(1);
            }
        }
    }
}
