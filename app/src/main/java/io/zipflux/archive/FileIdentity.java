package io.zipflux.archive;

import java.nio.file.attribute.BasicFileAttributes;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** What identifies a file's bytes: a changed file never matches an old identity. */
record FileIdentity(long device, long inode, long size, long modifiedNanos) {

    private static final Pattern UNIX_KEY = Pattern.compile("\\(dev=([0-9a-f]+),ino=([0-9]+)\\)");

    static FileIdentity of(BasicFileAttributes attributes) {
        long device = -1;
        long inode = -1;
        Object key = attributes.fileKey();
        if (key != null) {
            Matcher matcher = UNIX_KEY.matcher(key.toString());
            if (matcher.matches()) {
                device = Long.parseUnsignedLong(matcher.group(1), 16);
                inode = Long.parseUnsignedLong(matcher.group(2));
            }
        }
        return new FileIdentity(device, inode, attributes.size(), attributes.lastModifiedTime().to(TimeUnit.NANOSECONDS));
    }

    /**
     * Whether {@code now} is the same file with the same bytes as far as attributes tell. An identity
     * without device and inode (taken from a listing that had none) compares size and milliseconds only.
     */
    boolean sameFile(FileIdentity now) {
        if (device == -1 && inode == -1) {
            return size == now.size && Math.floorDiv(modifiedNanos, 1_000_000L) == Math.floorDiv(now.modifiedNanos, 1_000_000L);
        }
        return equals(now);
    }
}
