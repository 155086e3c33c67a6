package io.zipflux.archive;

import java.util.ArrayList;
import java.util.List;

import net.lingala.zip4j.model.FileHeader;
import net.lingala.zip4j.model.enums.CompressionMethod;

/**
 * Where every byte of a stored (uncompressed) archive goes, computed from names and sizes alone:
 * the exact Content-Length, and the parts a byte range is cut from. Only data descriptors and the
 * central directory depend on CRCs, and their lengths do not.
 */
final class StoreLayout {

    /** What a run of archive bytes holds. */
    enum Kind { LOCAL_HEADER, FILE_DATA, DATA_DESCRIPTOR, CENTRAL_DIRECTORY }

    /** A run of archive bytes; {@code entry} is the index of the file it belongs to (-1: none). */
    record Part(Kind kind, int entry, long offset, long length) {

        long end() {
            return offset + length;
        }
    }

    private final List<ArchiveEntry> entries;

    private final List<FileHeader> headers;

    private final List<byte[]> localHeaders;

    private final List<Part> parts;

    private final long length;

    private StoreLayout(List<ArchiveEntry> entries) {
        this.entries = entries;
        this.headers = new ArrayList<>(entries.size());
        this.localHeaders = new ArrayList<>(entries.size());
        this.parts = new ArrayList<>(entries.size() * 3 + 1);
        long offset = 0;
        for (int i = 0; i < entries.size(); i++) {
            ArchiveEntry entry = entries.get(i);
            FileHeader header = ZipHeaders.entryHeader(entry, CompressionMethod.STORE, offset);
            byte[] local = ZipHeaders.localHeader(header);
            int descriptorLength = ZipHeaders.dataDescriptor(header, 0, entry.size()).length;
            headers.add(header);
            localHeaders.add(local);
            offset = add(Kind.LOCAL_HEADER, i, offset, local.length);
            offset = add(Kind.FILE_DATA, i, offset, entry.size());
            offset = add(Kind.DATA_DESCRIPTOR, i, offset, descriptorLength);
        }
        this.length = add(Kind.CENTRAL_DIRECTORY, -1, offset, ZipHeaders.centralDirectory(headers, offset).length);
    }

    static StoreLayout of(List<ArchiveEntry> entries) {
        return new StoreLayout(List.copyOf(entries));
    }

    private long add(Kind kind, int entry, long offset, long partLength) {
        parts.add(new Part(kind, entry, offset, partLength));
        return offset + partLength;
    }

    long length() {
        return length;
    }

    List<Part> parts() {
        return parts;
    }

    List<ArchiveEntry> entries() {
        return entries;
    }

    ArchiveEntry entry(int index) {
        return entries.get(index);
    }

    byte[] localHeader(int entry) {
        return localHeaders.get(entry);
    }

    byte[] dataDescriptor(int entry, long crc) {
        return ZipHeaders.dataDescriptor(headers.get(entry), crc, entries.get(entry).size());
    }

    byte[] centralDirectory(long[] crcs) {
        for (int i = 0; i < headers.size(); i++) {
            headers.get(i).setCrc(crcs[i]);
        }
        Part central = parts.get(parts.size() - 1);
        return ZipHeaders.centralDirectory(headers, central.offset());
    }
}
