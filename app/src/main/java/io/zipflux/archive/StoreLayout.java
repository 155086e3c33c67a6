package io.zipflux.archive;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Instant;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLongArray;

import net.lingala.zip4j.model.FileHeader;
import net.lingala.zip4j.model.enums.CompressionMethod;

/**
 * Where every byte of a stored (uncompressed) archive goes, computed from names and sizes alone: the
 * exact Content-Length, the offset of each entry, the validators, and, filled in as streams learn them,
 * the CRCs. Only data descriptors and the central directory depend on CRCs, and their lengths do not.
 * One layout serves every request for the same unchanged folder (see {@link FolderLayouts}); per file it
 * holds two longs besides the listing, and records are serialized when sent, never kept.
 */
final class StoreLayout {

    /** Entries per central-directory batch: bounds the memory of producing a directory of any size. */
    static final int CENTRAL_BATCH = 1024;

    private static final long KNOWN = 1L << 32;

    private final FolderListing listing;

    /** Local header offset of each entry, then the central directory's. */
    private final long[] offsets;

    /** CRC of each entry with {@link #KNOWN} set once known; shared by the requests of this layout. */
    private final AtomicLongArray crcs;

    private final long centralLength;

    private final boolean zip64End;

    private final long length;

    private final String etag;

    private final Instant lastModified;

    private StoreLayout(FolderListing listing) {
        this.listing = listing;
        int count = listing.count();
        this.offsets = new long[count + 1];
        this.crcs = new AtomicLongArray(count);
        long offset = 0;
        long central = 0;
        boolean zip64Entry = false;
        for (int i = 0; i < count; i++) {
            long size = listing.size(i);
            offsets[i] = offset;
            central += ZipHeaders.centralRecordLength(listing.nameLength(i), size, offset);
            zip64Entry |= ZipHeaders.needsZip64(size) || ZipHeaders.needsZip64(offset);
            offset += ZipHeaders.localHeaderLength(listing.nameLength(i), size) + size
                    + ZipHeaders.dataDescriptorLength(size);
        }
        offsets[count] = offset;
        this.centralLength = central;
        this.zip64End = zip64Entry || ZipHeaders.needsZip64(offset)
                || count >= net.lingala.zip4j.util.InternalZipConstants.ZIP_64_NUMBER_OF_ENTRIES_LIMIT;
        this.length = offset + central + ZipHeaders.endRecordsLength(zip64End);
        this.etag = ArchiveTag.etag(listing);
        this.lastModified = ArchiveTag.lastModified(listing);
    }

    static StoreLayout of(FolderListing listing) {
        return new StoreLayout(listing);
    }

    FolderListing listing() {
        return listing;
    }

    int count() {
        return listing.count();
    }

    long length() {
        return length;
    }

    String etag() {
        return etag;
    }

    Instant lastModified() {
        return lastModified;
    }

    long headerOffset(int entry) {
        return offsets[entry];
    }

    long dataOffset(int entry) {
        return offsets[entry] + ZipHeaders.localHeaderLength(listing.nameLength(entry), listing.size(entry));
    }

    long descriptorOffset(int entry) {
        return dataOffset(entry) + listing.size(entry);
    }

    /** Where the entry's records end: its data descriptor's end, the next entry's (or the directory's) offset. */
    long entryEnd(int entry) {
        return offsets[entry + 1];
    }

    long centralOffset() {
        return offsets[listing.count()];
    }

    long endOffset() {
        return centralOffset() + centralLength;
    }

    /** The entry whose local records hold {@code position} (a position before the central directory). */
    int entryAt(long position) {
        int found = Arrays.binarySearch(offsets, 0, listing.count(), position);
        return found >= 0 ? found : -found - 2;
    }

    /** The CRC when some request of this layout has learned it, else -1. */
    long knownCrc(int entry) {
        long value = crcs.get(entry);
        return (value & KNOWN) != 0 ? value & 0xFFFFFFFFL : -1;
    }

    void learnedCrc(int entry, long crc) {
        crcs.set(entry, KNOWN | crc);
    }

    byte[] localHeader(int entry) {
        return ZipHeaders.storedLocalHeader(listing.names(), listing.nameStart(entry), listing.nameLength(entry),
                listing.size(entry), listing.modifiedMillis(entry));
    }

    byte[] dataDescriptor(int entry, long crc) {
        return ZipHeaders.storedDataDescriptor(crc, listing.size(entry));
    }

    /** Central-directory records of entries {@code from} (inclusive) to {@code to} (exclusive), with their CRCs. */
    byte[] centralRecords(int from, int to, long[] crcs) {
        ByteBuffer out = ByteBuffer.allocate((int) centralRecordsLength(from, to)).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = from; i < to; i++) {
            ZipHeaders.storedCentralRecord(out, listing.names(), listing.nameStart(i), listing.nameLength(i),
                    listing.size(i), listing.modifiedMillis(i), crcs[i - from], offsets[i]);
        }
        return out.array();
    }

    /** Length of the central records of entries {@code from} to {@code to} (exclusive), without producing them. */
    long centralRecordsLength(int from, int to) {
        long total = 0;
        for (int i = from; i < to; i++) {
            total += ZipHeaders.centralRecordLength(listing.nameLength(i), listing.size(i), offsets[i]);
        }
        return total;
    }

    byte[] endRecords() {
        FileHeader first = listing.count() == 0 ? null : header(0);
        return ZipHeaders.endRecords(listing.count(), centralLength, centralOffset(), zip64End, first);
    }

    private FileHeader header(int entry) {
        return ZipHeaders.entryHeader(listing.name(entry), listing.size(entry), listing.modifiedMillis(entry),
                CompressionMethod.STORE, offsets[entry]);
    }
}
