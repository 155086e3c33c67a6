package io.zipflux.archive;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.zip.CRC32;
import java.util.zip.CheckedInputStream;

/**
 * The CRC cache on disk: magic, version, entry count, the entries, and a CRC-32 of all that,
 * so that a damaged file is recognised as a whole rather than half loaded.
 */
final class CrcCacheFile {

    static final int MAGIC = 0x5A464352; // "ZFCR"

    static final int VERSION = 1;

    /** Magic, version, count. */
    static final int HEADER_BYTES = 12;

    /** Device, inode, size, modifiedNanos, CRC. */
    static final int ENTRY_BYTES = 4 * Long.BYTES + Integer.BYTES;

    static final int TRAILER_BYTES = Integer.BYTES;

    private CrcCacheFile() {
    }

    /**
     * The entries of {@code file} in a new table of {@code capacity} (the newest kept when the file holds
     * more); fails, leaving nothing half read, when the file is not a whole cache file of this version.
     */
    static CrcTable read(Path file, int capacity) throws IOException {
        long length = Files.size(file);
        try (CheckedInputStream checked = new CheckedInputStream(
                new BufferedInputStream(Files.newInputStream(file), 64 * 1024), new CRC32());
             DataInputStream in = new DataInputStream(checked)) {
            if (length < HEADER_BYTES + TRAILER_BYTES) {
                throw new IOException("truncated: " + length + " bytes");
            }
            if (in.readInt() != MAGIC) {
                throw new IOException("not a CRC cache file");
            }
            int version = in.readInt();
            if (version != VERSION) {
                throw new IOException("version " + version + ", expected " + VERSION);
            }
            int count = in.readInt();
            if (count < 0 || length != HEADER_BYTES + (long) count * ENTRY_BYTES + TRAILER_BYTES) {
                throw new IOException("truncated or oversized: " + length + " bytes for " + count + " entries");
            }
            CrcTable table = new CrcTable(capacity);
            for (int i = 0; i < count; i++) {
                FileIdentity id = new FileIdentity(in.readLong(), in.readLong(), in.readLong(), in.readLong());
                table.put(id, in.readInt());
            }
            int computed = (int) checked.getChecksum().getValue();
            if (in.readInt() != computed) {
                throw new IOException("checksum mismatch");
            }
            return table;
        }
    }

    /**
     * Replaces {@code file} with the table's entries, atomically: a reader (another instance, the next
     * start) sees the old file or the new one, never a mix. Instances sharing the data dir overwrite
     * each other's saves; the last writer wins, which costs the others at most some recomputed CRCs.
     */
    static void write(Path file, byte[] content) throws IOException {
        Path temporary = Files.createTempFile(file.getParent(), file.getFileName().toString(), ".tmp");
        try {
            try (FileChannel channel = FileChannel.open(temporary, StandardOpenOption.WRITE)) {
                ByteBuffer bytes = ByteBuffer.wrap(content);
                while (bytes.hasRemaining()) {
                    channel.write(bytes);
                }
                channel.force(false);
            }
            Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        }
        finally {
            Files.deleteIfExists(temporary);
        }
    }

    /** The file's content for {@code table}, oldest entry first; built under the owner's lock, written outside it. */
    static byte[] encode(CrcTable table) {
        int length = Math.addExact(HEADER_BYTES + TRAILER_BYTES, Math.multiplyExact(table.size(), ENTRY_BYTES));
        ByteBuffer buffer = ByteBuffer.allocate(length)
                .putInt(MAGIC)
                .putInt(VERSION)
                .putInt(table.size());
        table.forEachOldestFirst((id, crc) -> buffer.putLong(id.device())
                .putLong(id.inode())
                .putLong(id.size())
                .putLong(id.modifiedNanos())
                .putInt(crc));
        CRC32 checksum = new CRC32();
        checksum.update(buffer.array(), 0, buffer.position());
        buffer.putInt((int) checksum.getValue());
        return buffer.array();
    }
}
