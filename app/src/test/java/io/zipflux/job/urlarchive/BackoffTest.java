package io.zipflux.job.urlarchive;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The waits between failed attempts: doubling, jittered, capped, and never shorter than Retry-After asks. */
class BackoffTest {

    private final FetchProperties.Backoff backoff = new FetchProperties.Backoff(
            Duration.ofMillis(200), Duration.ofSeconds(10), Duration.ofMinutes(1));

    @Test
    void waitsDoubleWithJitterUpToTheMax() {
        for (int i = 0; i < 200; i++) {
            assertThat(backoff.pause(1, null)).isBetween(Duration.ofMillis(100), Duration.ofMillis(200));
            assertThat(backoff.pause(3, null)).isBetween(Duration.ofMillis(400), Duration.ofMillis(800));
            assertThat(backoff.pause(30, null)).isBetween(Duration.ofSeconds(5), Duration.ofSeconds(10));
        }
    }

    @Test
    void retryAfterIsHonouredUpToItsCap() {
        assertThat(backoff.pause(1, Duration.ofSeconds(3))).isEqualTo(Duration.ofSeconds(3));
        assertThat(backoff.pause(1, Duration.ofHours(2))).isEqualTo(Duration.ofMinutes(1));
        assertThat(backoff.pause(30, Duration.ofMillis(1))).isGreaterThanOrEqualTo(Duration.ofSeconds(5));
    }
}
