package io.zipflux.job.idempotency;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.http.InvalidMediaTypeException;
import org.springframework.http.MediaType;

/**
 * SHA-256 of a request body, fed as it streams (nothing is kept). A multipart body is digested without
 * its boundary: most clients draw a new one for every attempt, so a retry of the same upload would
 * otherwise never match. Every delimiter ({@code CRLF--boundary}, the body read as if a CRLF came first) is
 * left out; the rest, part headers and contents, counts byte for byte.
 */
final class BodyDigest {

    private static final byte[] CRLF = {'\r', '\n'};

    private final MessageDigest sha256;

    /** The delimiter left out, and its failure function (Knuth–Morris–Pratt); null for other bodies. */
    private final byte[] delimiter;

    private final int[] fallback;

    /** How many bytes of the delimiter the latest bytes match: held back until they turn out not to be one. */
    private int matched;

    /** Bytes held back and found to be content, digested in order before the next run. */
    private final byte[] pending = new byte[256];

    /** A copy of the body's bytes being scanned (its buffers are mostly direct memory). */
    private final byte[] chunk = new byte[8192];

    private int pendingLength;

    private BodyDigest(String boundary) {
        this.sha256 = newSha256();
        this.delimiter = boundary == null ? null : ("\r\n--" + boundary).getBytes(StandardCharsets.ISO_8859_1);
        this.fallback = delimiter == null ? null : fallbackOf(delimiter);
        if (delimiter != null) {
            update(ByteBuffer.wrap(CRLF));
        }
    }

    /** A digest for a body of {@code contentType} (null or malformed: every byte counts). */
    static BodyDigest of(String contentType) {
        return new BodyDigest(boundaryOf(contentType));
    }

    /** Adds the readable bytes of {@code buffer}, leaving its read position where it was. */
    void update(DataBuffer buffer) {
        try (DataBuffer.ByteBufferIterator parts = buffer.readableByteBuffers()) {
            while (parts.hasNext()) {
                update(parts.next());
            }
        }
    }

    /** The SHA-256 of everything added; the digest is used up. */
    byte[] finish() {
        if (delimiter != null) {
            emit(delimiter, matched);
            flush();
        }
        return sha256.digest();
    }

    private void update(ByteBuffer bytes) {
        if (delimiter == null) {
            sha256.update(bytes);
            return;
        }
        while (bytes.hasRemaining()) {
            int length = Math.min(chunk.length, bytes.remaining());
            bytes.get(chunk, 0, length);
            scan(chunk, length);
        }
    }

    /**
     * Runs of bytes that cannot start a delimiter go to the digest at once (most of a body: the scan for a CR
     * is cheap); from a CR on, bytes pass the matcher one by one until it has decided.
     */
    private void scan(byte[] bytes, int length) {
        int i = 0;
        while (i < length) {
            if (matched == 0) {
                int start = i;
                while (i < length && bytes[i] != delimiter[0]) {
                    i++;
                }
                flush();
                sha256.update(bytes, start, i - start);
                if (i == length) {
                    return;
                }
            }
            feed(bytes[i++]);
        }
    }

    /** One byte through the delimiter matcher: bytes that cannot be part of a delimiter any more are digested. */
    private void feed(byte b) {
        while (matched > 0 && delimiter[matched] != b) {
            int kept = fallback[matched - 1];
            emit(delimiter, matched - kept);
            matched = kept;
        }
        if (delimiter[matched] == b) {
            matched++;
            if (matched == delimiter.length) {
                matched = 0;
            }
            return;
        }
        if (pendingLength == pending.length) {
            flush();
        }
        pending[pendingLength++] = b;
    }

    /** The first {@code length} bytes of the delimiter, held back so far, are content after all. */
    private void emit(byte[] bytes, int length) {
        for (int i = 0; i < length; i++) {
            if (pendingLength == pending.length) {
                flush();
            }
            pending[pendingLength++] = bytes[i];
        }
    }

    private void flush() {
        if (pendingLength > 0) {
            sha256.update(pending, 0, pendingLength);
            pendingLength = 0;
        }
    }

    /** For each prefix of {@code pattern}, the length of its longest proper prefix that is also its suffix. */
    private static int[] fallbackOf(byte[] pattern) {
        int[] fallback = new int[pattern.length];
        for (int i = 1, k = 0; i < pattern.length; i++) {
            while (k > 0 && pattern[i] != pattern[k]) {
                k = fallback[k - 1];
            }
            if (pattern[i] == pattern[k]) {
                k++;
            }
            fallback[i] = k;
        }
        return fallback;
    }

    private static String boundaryOf(String contentType) {
        if (contentType == null) {
            return null;
        }
        try {
            MediaType type = MediaType.parseMediaType(contentType);
            String boundary = "multipart".equals(type.getType()) ? type.getParameter("boundary") : null;
            if (boundary != null && boundary.length() >= 2 && boundary.startsWith("\"") && boundary.endsWith("\"")) {
                boundary = boundary.substring(1, boundary.length() - 1);
            }
            return boundary == null || boundary.isEmpty() ? null : boundary;
        }
        catch (InvalidMediaTypeException ex) {
            return null;
        }
    }

    private static MessageDigest newSha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        }
        catch (NoSuchAlgorithmException ex) {
            throw new IllegalStateException("Every Java runtime has SHA-256", ex);
        }
    }
}
