package io.zipflux.archive;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;

/**
 * Validators of a stored archive: a strong ETag from every entry's name, size and time (so it
 * changes whenever the bytes would), and the newest file time as Last-Modified.
 */
final class ArchiveTag {

    private ArchiveTag() {
    }

    static String etag(List<ArchiveEntry> entries) {
        MessageDigest digest = sha256();
        for (ArchiveEntry entry : entries) {
            digest.update(entry.name().getBytes(StandardCharsets.UTF_8));
            digest.update((byte) 0);
            digest.update((entry.size() + ":" + entry.lastModifiedMillis() + "\n").getBytes(StandardCharsets.US_ASCII));
        }
        return "\"" + HexFormat.of().formatHex(digest.digest(), 0, 16) + "\"";
    }

    static Instant lastModified(List<ArchiveEntry> entries) {
        long newest = entries.stream().mapToLong(ArchiveEntry::lastModifiedMillis).max().orElse(0);
        return Instant.ofEpochMilli(newest - newest % 1000);
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        }
        catch (NoSuchAlgorithmException ex) {
            throw new IllegalStateException("SHA-256 is part of every Java runtime", ex);
        }
    }
}
