package io.zipflux.job.urlarchive;

import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;

import org.springframework.http.ContentDisposition;

/** What a transfer reads from an origin's response headers; null wherever a header is absent or unreadable. */
final class OriginHeaders {

    private OriginHeaders() {
    }

    /** A strong ETag, else Last-Modified: what If-Range may carry; null when the origin gives neither. */
    static String validator(HttpHeaders headers) {
        String etag = headers.get(HttpHeaderNames.ETAG);
        if (etag != null && etag.startsWith("\"")) {
            return etag;
        }
        return headers.get(HttpHeaderNames.LAST_MODIFIED);
    }

    static Long length(HttpHeaders headers) {
        String length = headers.get(HttpHeaderNames.CONTENT_LENGTH);
        try {
            return length == null ? null : Long.valueOf(length.trim());
        }
        catch (NumberFormatException ex) {
            return null;
        }
    }

    static String fileName(HttpHeaders headers) {
        String disposition = headers.get(HttpHeaderNames.CONTENT_DISPOSITION);
        if (disposition == null) {
            return null;
        }
        try {
            return ContentDisposition.parse(disposition).getFilename();
        }
        catch (IllegalArgumentException ex) {
            return null;
        }
    }

    /** {@code bytes first-last/total} as {first, total} (total -1 when '*'); null when malformed. */
    static long[] contentRange(String header) {
        if (header == null || !header.startsWith("bytes ")) {
            return null;
        }
        try {
            String[] rangeAndTotal = header.substring(6).trim().split("/");
            long first = Long.parseLong(rangeAndTotal[0].split("-")[0].trim());
            long total = rangeAndTotal[1].trim().equals("*") ? -1 : Long.parseLong(rangeAndTotal[1].trim());
            return new long[] {first, total};
        }
        catch (RuntimeException ex) {
            return null;
        }
    }

    /** Seconds or an HTTP date; null when absent or unreadable. */
    static Duration retryAfter(HttpHeaders headers) {
        String value = headers.get(HttpHeaderNames.RETRY_AFTER);
        if (value == null) {
            return null;
        }
        try {
            return Duration.ofSeconds(Math.max(0, Long.parseLong(value.trim())));
        }
        catch (NumberFormatException notSeconds) {
            try {
                Instant at = ZonedDateTime.parse(value.trim(), DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
                return Duration.between(Instant.now(), at).isNegative() ? Duration.ZERO : Duration.between(Instant.now(), at);
            }
            catch (DateTimeParseException ex) {
                return null;
            }
        }
    }
}
