package io.zipflux.archive;

import java.time.Instant;
import java.util.List;

import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpRange;

/**
 * Which bytes of a representation of {@code length} bytes a request asks for: everything, one
 * range, or a range that cannot be satisfied. Follows RFC 9110: a Range that is malformed, asks for
 * several ranges, or whose If-Range no longer matches is ignored (the whole archive is sent).
 *
 * @param first first byte to send
 * @param last last byte to send (inclusive)
 * @param partial whether this answers a Range request (206)
 * @param satisfiable false when the range starts past the end (416)
 */
record RangeSelection(long first, long last, boolean partial, boolean satisfiable) {

    static RangeSelection select(HttpHeaders request, long length, String etag, Instant lastModified) {
        RangeSelection whole = new RangeSelection(0, length - 1, false, true);
        String header = request.getFirst(HttpHeaders.RANGE);
        if (header == null || !ifRangeMatches(request, etag, lastModified)) {
            return whole;
        }
        List<HttpRange> ranges;
        try {
            ranges = HttpRange.parseRanges(header);
        }
        catch (IllegalArgumentException ex) {
            return whole;
        }
        if (ranges.size() != 1) {
            return whole;
        }
        HttpRange range = ranges.get(0);
        try {
            long first = range.getRangeStart(length);
            long last = range.getRangeEnd(length);
            return first <= last ? new RangeSelection(first, last, true, true) : unsatisfiable();
        }
        catch (IllegalArgumentException ex) {
            return unsatisfiable();
        }
    }

    private static RangeSelection unsatisfiable() {
        return new RangeSelection(0, -1, true, false);
    }

    /** If-Range holds a strong ETag or an HTTP date; either must match exactly for the Range to count. */
    private static boolean ifRangeMatches(HttpHeaders request, String etag, Instant lastModified) {
        String ifRange = request.getFirst(HttpHeaders.IF_RANGE);
        if (ifRange == null) {
            return true;
        }
        if (ifRange.startsWith("\"") || ifRange.startsWith("W/")) {
            return ifRange.equals(etag);
        }
        try {
            return request.getFirstDate(HttpHeaders.IF_RANGE) == lastModified.toEpochMilli();
        }
        catch (IllegalArgumentException ex) {
            return false;
        }
    }

    long length() {
        return last - first + 1;
    }
}
