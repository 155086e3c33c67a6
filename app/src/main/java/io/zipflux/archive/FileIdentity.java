package io.zipflux.archive;

import java.nio.file.attribute.BasicFileAttributes;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What identifies a file's bytes: a changed file never matches an old identity.
 *
 * @param device the file system's device number, {@code -1} where the platform gives none
 * @param inode the file's inode, {@code -1} where the platform gives none
 * @param size length in bytes
 * @param modifiedNanos modification time, nanoseconds since the epoch
 */
record FileIdentity(long device, long inode, long size, long modifiedNanos) {

    /** Unix's file key, {@code (dev=fe00,ino=5310231)}: the device in hex, the inode in decimal. */
    private static final Pattern UNIX_KEY = Pattern.compile("\\(dev=([0-9a-fA-F]+),ino=([0-9]+)\\)");

    static FileIdentity of(BasicFileAttributes attributes) {
        long size = attributes.size();
        long modifiedNanos = attributes.lastModifiedTime().to(TimeUnit.NANOSECONDS);
        Object key = attributes.fileKey();
        Matcher unix = key == null ? null : UNIX_KEY.matcher(key.toString());
        if (unix == null || !unix.matches()) {
            // Size and time alone still tell most changes apart; replaced files may then reuse a CRC.
            return new FileIdentity(-1, -1, size, modifiedNanos);
        }
        return new FileIdentity(Long.parseUnsignedLong(unix.group(1), 16), Long.parseUnsignedLong(unix.group(2)),
                size, modifiedNanos);
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
