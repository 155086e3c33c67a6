package io.zipflux.system;

import java.time.Duration;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.core.env.Environment;

import io.zipflux.security.TestKeys;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A keep-alive connection goes on reading requests after each exchange, however the exchange ended: a
 * request read while the one before it was still being answered (Reactor Netty 1.2.18 then stopped
 * reading the connection, and armed no idle timeout), or an answer sent before the request's body was in
 * (the rest of the body is not the next request's headers). Short timeouts.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT, properties = {
        "zipflux.data-dir=${java.io.tmpdir}/zipflux-test-data-keepalive",
        "zipflux.archive.photos-dir=${java.io.tmpdir}/zipflux-test-photos",
        "zipflux.http.header-timeout=1s",
        "server.netty.idle-timeout=2s",
})
class KeepAliveTest {

    private static final String LIVENESS = RawConnection.get("/actuator/health/liveness");

    /** Answered after a database and broker check, so the request behind it is read before it ends. */
    private static final String HEALTH = RawConnection.get("/actuator/health");

    @LocalServerPort
    private int port;

    @Autowired
    private Environment environment;

    /** Answered at once, on the event loop, when it is taken from the queue (a bad query parameter; the key is cached). */
    private String badLimit;

    /** A client's key, checked once so that it is cached: every later request with it is answered without a wait. */
    private String key;

    @BeforeEach
    void cachedKey() throws Exception {
        key = TestKeys.client(environment, "keep-alive");
        badLimit = RawConnection.get("/api/v1/jobs?limit=many", key);
        try (RawConnection connection = new RawConnection(port)) {
            connection.send(badLimit);
            assertThat(connection.response(Duration.ofSeconds(30))).isEqualTo(400);
        }
    }

    @Test
    void requestsQueuedBehindASlowerOneAreAnsweredAndTheConnectionReadsTheNextRequest() throws Exception {
        try (RawConnection connection = new RawConnection(port)) {
            for (int round = 1; round <= 5; round++) {
                connection.send(HEALTH + badLimit);
                assertThat(connection.response(Duration.ofSeconds(10))).as("round %d, first", round).isEqualTo(200);
                assertThat(connection.response(Duration.ofSeconds(5))).as("round %d, queued", round).isEqualTo(400);
            }
            connection.send(LIVENESS);
            assertThat(connection.response(Duration.ofSeconds(5))).as("the next request on the connection").isEqualTo(200);
        }
    }

    @Test
    void aConnectionLeftIdleAfterAQueuedRequestIsClosedAfterTheIdleTimeout() throws Exception {
        try (RawConnection connection = new RawConnection(port)) {
            connection.send(HEALTH + badLimit);
            assertThat(connection.response(Duration.ofSeconds(10))).isEqualTo(200);
            assertThat(connection.response(Duration.ofSeconds(5))).isEqualTo(400);
            long start = System.nanoTime();
            assertThat(connection.readUntilClosed(Duration.ofSeconds(6))).as("idle connection closed").isZero();
            assertThat(elapsed(start)).as("idle time to the close").isBetween(Duration.ofMillis(1400), Duration.ofMillis(3500));
        }
    }

    @Test
    void theRestOfABodyAnsweredEarlyIsNotTakenForSlowHeaders() throws Exception {
        int parts = 5;
        String part = "x".repeat(1000);
        try (RawConnection connection = new RawConnection(port)) {
            connection.send(earlyAnswered(parts * part.length()) + part);
            assertThat(connection.response(Duration.ofSeconds(5))).as("the early answer").isEqualTo(400);
            long start = System.nanoTime();
            // The rest of the body comes slowly, well past the header timeout (1 s) and within the idle timeout (2 s)
            // between parts; headersSentByteByByteAreCutAfterTheHeaderTimeout... is the control that slow headers are cut.
            for (int i = 1; i < parts; i++) {
                Thread.sleep(600);
                connection.send(part);
            }
            assertThat(elapsed(start)).isGreaterThan(Duration.ofMillis(2000));
            connection.send(LIVENESS);
            assertThat(connection.response(Duration.ofSeconds(5))).as("the next request on the connection").isEqualTo(200);
        }
    }

    @Test
    void aBodyThatStopsAfterAnEarlyAnswerIsClosedAfterTheIdleTimeout() throws Exception {
        try (RawConnection connection = new RawConnection(port)) {
            connection.send(earlyAnswered(5000) + "x".repeat(1000));
            assertThat(connection.response(Duration.ofSeconds(5))).as("the early answer").isEqualTo(400);
            long start = System.nanoTime();
            assertThat(connection.readUntilClosed(Duration.ofSeconds(6))).as("connection closed").isZero();
            assertThat(elapsed(start)).as("time to the close").isBetween(Duration.ofMillis(1400), Duration.ofMillis(3500));
        }
    }

    /** A CSV import whose {@code ids} value is refused before its body is read. */
    private String earlyAnswered(int length) {
        return "POST /api/v1/imports?ids=sometimes HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: text/csv\r\n"
                + "Authorization: Bearer " + key + "\r\nContent-Length: " + length + "\r\n\r\n";
    }

    private static Duration elapsed(long start) {
        return Duration.ofNanos(System.nanoTime() - start);
    }
}
