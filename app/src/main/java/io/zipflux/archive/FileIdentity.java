package io.zipflux.archive;

import java.nio.file.attribute.BasicFileAttributes;
import java.util.concurrent.TimeUnit;

/**
 * What identifies a file's bytes: a changed file never matches an old identity.
 *
 * @param device the file system's device number, {@code -1} where the platform gives none
 * @param inode the file's inode, {@code -1} where the platform gives none
 * @param size length in bytes
 * @param modifiedNanos modification time, nanoseconds since the epoch
 */
record FileIdentity(long device, long inode, long size, long modifiedNanos) {

    /* Unix's file key reads "(dev=fe00,ino=5310231)": the device in hex, the inode in decimal. */

    static FileIdentity of(BasicFileAttributes attributes) {
        long size = attributes.size();
        long modifiedNanos = attributes.lastModifiedTime().to(TimeUnit.NANOSECONDS);
        Object key = attributes.fileKey();
        String unix = key == null ? "" : key.toString();
        // Parsed by hand, not with a regular expression: a listing does this for every file.
        int device = unix.indexOf("(dev=");
        int inode = unix.indexOf(",ino=");
        if (device != 0 || inode < 0 || !unix.endsWith(")")) {
            // Size and time alone still tell most changes apart; replaced files may then reuse a CRC.
            return new FileIdentity(-1, -1, size, modifiedNanos);
        }
        try {
            return new FileIdentity(Long.parseUnsignedLong(unix, 5, inode, 16),
                    Long.parseUnsignedLong(unix, inode + 5, unix.length() - 1, 10), size, modifiedNanos);
        }
        catch (NumberFormatException ex) {
            return new FileIdentity(-1, -1, size, modifiedNanos);
        }
    }

    long modifiedMillis() {
        return Math.floorDiv(modifiedNanos, 1_000_000L);
    }

    /**
     * Whether {@code now} is this file with the same bytes, as far as attributes tell. An identity without
     * device and inode (from a listing that had none) compares size and milliseconds only.
     */
    boolean sameFile(FileIdentity now) {
        if (device == -1 && inode == -1) {
            return size == now.size && modifiedMillis() == now.modifiedMillis();
        }
        return equals(now);
    }
}
