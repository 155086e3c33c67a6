package io.zipflux.webhook;

import java.nio.charset.StandardCharsets;

import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;

import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.codec.http.HttpHeaderNames;
import reactor.core.publisher.Mono;
import reactor.netty.ByteBufMono;
import reactor.netty.http.client.HttpClient;

import org.springframework.stereotype.Component;

import io.zipflux.outbound.OutboundHttp;

/**
 * One webhook attempt: a signed POST of the body through the outbound policy, with its own timeout;
 * never fails, a missing answer is an answer too.
 */
@Component
class WebhookCall {

    private final HttpClient http;

    private final WebhookSigner signer;

    private final Duration timeout;

    WebhookCall(OutboundHttp outbound, WebhookSigner signer, WebhooksProperties properties) {
        this.http = outbound.client();
        this.signer = signer;
        this.timeout = properties.timeout();
    }

    /** What one attempt got: an HTTP status and the wait its Retry-After asks for, or no answer at all. */
    record Answer(Integer status, Duration retryAfter, String error) {

        boolean delivered() {
            return status != null && status >= 200 && status < 300;
        }

        boolean gone() {
            return status != null && status == 410;
        }

        String describe() {
            return error != null ? error : "HTTP " + status;
        }
    }

    /** POSTs {@code body} to {@code url} with the Standard Webhooks headers, signed now. */
    Mono<Answer> post(String url, String id, String body) {
        long timestamp = Instant.now().getEpochSecond();
        return http.headers(headers -> headers
                        .set(HttpHeaderNames.CONTENT_TYPE, "application/json")
                        .set("webhook-id", id)
                        .set("webhook-timestamp", timestamp)
                        .set("webhook-signature", signer.signature(id, timestamp, body)))
                .post()
                .uri(url)
                .send(ByteBufMono.fromString(Mono.just(body), StandardCharsets.UTF_8, ByteBufAllocator.DEFAULT))
                .response()
                .map(response -> new Answer(response.status().code(),
                        retryAfter(response.responseHeaders().get(HttpHeaderNames.RETRY_AFTER)), null))
                .timeout(timeout)
                .onErrorResume(error -> Mono.just(new Answer(null, Duration.ZERO, error.toString())));
    }

    /** Retry-After in seconds or as an HTTP date; zero when absent or unreadable. */
    static Duration retryAfter(String value) {
        if (value == null || value.isBlank()) {
            return Duration.ZERO;
        }
        try {
            return Duration.ofSeconds(Math.max(0, Long.parseLong(value.trim())));
        }
        catch (NumberFormatException notSeconds) {
            try {
                Duration until = Duration.between(Instant.now(),
                        ZonedDateTime.parse(value.trim(), DateTimeFormatter.RFC_1123_DATE_TIME).toInstant());
                return until.isNegative() ? Duration.ZERO : until;
            }
            catch (DateTimeParseException notADate) {
                return Duration.ZERO;
            }
        }
    }
}
