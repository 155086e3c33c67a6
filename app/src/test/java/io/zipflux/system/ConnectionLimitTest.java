package io.zipflux.system;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;

/** Past {@code zipflux.http.max-connections} a new connection is closed at once; those open keep answering. */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT, properties = {
        "zipflux.data-dir=${java.io.tmpdir}/zipflux-test-data-limit",
        "zipflux.archive.photos-dir=${java.io.tmpdir}/zipflux-test-photos",
        "zipflux.http.max-connections=4",
})
class ConnectionLimitTest {

    private static final String LIVENESS = RawConnection.get("/actuator/health/liveness");

    @LocalServerPort
    private int port;

    @Test
    void aConnectionPastTheLimitIsClosedOnAcceptWhileTheOpenOnesKeepAnswering() throws Exception {
        List<RawConnection> open = new ArrayList<>();
        try {
            for (int i = 0; i < 4; i++) {
                RawConnection connection = new RawConnection(port);
                open.add(connection);
                connection.send(LIVENESS);
                assertThat(connection.response(Duration.ofSeconds(5))).as("connection %d", i + 1).isEqualTo(200);
            }
            try (RawConnection fifth = new RawConnection(port)) {
                long start = System.nanoTime();
                assertThat(fifth.readUntilClosed(Duration.ofSeconds(3))).as("fifth connection closed, nothing sent").isZero();
                assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofMillis(500));
            }
            open.get(0).send(LIVENESS);
            assertThat(open.get(0).response(Duration.ofSeconds(2))).as("an open connection meanwhile").isEqualTo(200);
            open.remove(3).close();
            assertThat(answersOnANewConnection(Duration.ofSeconds(5))).as("a new connection once one closed").isTrue();
        }
        finally {
            for (RawConnection connection : open) {
                connection.close();
            }
        }
    }

    /** Whether a new connection answers a request within {@code limit} (the closed one's slot may take a moment to free). */
    private boolean answersOnANewConnection(Duration limit) throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        while (System.nanoTime() < deadline) {
            try (RawConnection connection = new RawConnection(port)) {
                connection.send(LIVENESS);
                if (connection.response(Duration.ofSeconds(2)) == 200) {
                    return true;
                }
            }
            catch (IOException closedOnAccept) {
                Thread.sleep(100);
            }
        }
        return false;
    }
}
