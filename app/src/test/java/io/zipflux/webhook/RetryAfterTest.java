package io.zipflux.webhook;

import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** A receiver's Retry-After, in seconds or as an HTTP date, read as the least wait before the next attempt. */
class RetryAfterTest {

    @Test
    void secondsAndHttpDatesAreReadAndAnythingElseIsNoWait() {
        String inAMinute = ZonedDateTime.now(ZoneOffset.UTC).plusSeconds(60).format(DateTimeFormatter.RFC_1123_DATE_TIME);

        assertThat(WebhookCall.retryAfter("120")).isEqualTo(Duration.ofSeconds(120));
        assertThat(WebhookCall.retryAfter(inAMinute)).isBetween(Duration.ofSeconds(55), Duration.ofSeconds(60));
        assertThat(WebhookCall.retryAfter("Mon, 01 Jan 2001 00:00:00 GMT")).as("past").isZero();
        assertThat(WebhookCall.retryAfter("-5")).isZero();
        assertThat(WebhookCall.retryAfter("soon")).isZero();
        assertThat(WebhookCall.retryAfter(null)).isZero();
    }
}
