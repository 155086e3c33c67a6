package io.zipflux.archive;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;

/**
 * Validators of a stored archive: a strong ETag from every entry's name, size, time and inode (so it
 * changes whenever the bytes would, a file replaced by another of the same name, size and time included;
 * not the device number, which instances sharing the folder over a network may see differently), and the
 * newest file time as Last-Modified.
 */
final class ArchiveTag {

    private ArchiveTag() {
    }

    static String etag(FolderListing listing) {
        MessageDigest digest = sha256();
        ByteBuffer numbers = ByteBuffer.allocate(24);
        for (int i = 0; i < listing.count(); i++) {
            digest.update(listing.names(), listing.nameStart(i), listing.nameLength(i));
            digest.update((byte) 0);
            digest.update(numbers.clear().putLong(listing.size(i)).putLong(listing.modifiedMillis(i))
                    .putLong(listing.inode(i)).array());
        }
        return "\"" + HexFormat.of().formatHex(digest.digest(), 0, 16) + "\"";
    }

    static Instant lastModified(FolderListing listing) {
        long newest = 0;
        for (int i = 0; i < listing.count(); i++) {
            newest = Math.max(newest, listing.modifiedMillis(i));
        }
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
