package io.zipflux.archive;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.util.Arrays;
import java.util.List;

import net.lingala.zip4j.headers.FileHeaderFactory;
import net.lingala.zip4j.headers.HeaderSignature;
import net.lingala.zip4j.headers.HeaderWriter;
import net.lingala.zip4j.model.FileHeader;
import net.lingala.zip4j.model.LocalFileHeader;
import net.lingala.zip4j.model.ZipModel;
import net.lingala.zip4j.model.ZipParameters;
import net.lingala.zip4j.model.enums.CompressionMethod;
import net.lingala.zip4j.util.InternalZipConstants;
import net.lingala.zip4j.util.RawIO;
import net.lingala.zip4j.util.Zip4jUtil;

/**
 * The zip records around file data, serialized by zip4j (for stored entries written by hand from zip4j's own
 * template headers, byte for byte the same, see {@code ZipHeadersTest}): local headers (UTF-8 names, data
 * descriptor flag, entry time from the file), data descriptors and the central directory with its
 * end records, ZIP64 where sizes, offsets or the entry count need it.
 */
final class ZipHeaders {

    private ZipHeaders() {
    }

    /**
     * The central-directory view of an entry; the local header and data descriptor derive from it.
     * Local headers never carry the CRC (it is only known after the data), so they are the same bytes
     * whatever is cached, which keeps archives byte-identical between requests.
     */
    static FileHeader entryHeader(ArchiveEntry entry, CompressionMethod method, long offset) {
        return entryHeader(entry.name(), entry.size(), entry.lastModifiedMillis(), method, offset);
    }

    static FileHeader entryHeader(String name, long size, long modifiedMillis, CompressionMethod method, long offset) {
        ZipParameters parameters = new ZipParameters();
        parameters.setCompressionMethod(method);
        parameters.setFileNameInZip(name);
        parameters.setEntrySize(size);
        parameters.setLastModifiedFileTime(modifiedMillis);
        parameters.setWriteExtendedLocalFileHeader(true);
        try {
            FileHeader header = new FileHeaderFactory()
                    .generateFileHeader(parameters, false, 0, StandardCharsets.UTF_8, new RawIO());
            header.setCompressedSize(method == CompressionMethod.STORE ? size : 0);
            header.setOffsetLocalHeader(offset);
            return header;
        }
        catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }

    static byte[] localHeader(FileHeader header) {
        LocalFileHeader local = new FileHeaderFactory().generateLocalFileHeader(header);
        return serialize(out -> new HeaderWriter().writeLocalFileHeader(new ZipModel(), local, out,
                StandardCharsets.UTF_8));
    }

    /** What zip4j writes into every stored entry's records, taken once from its own headers. */
    private static final FileHeader PLAIN = entryHeader("x", 0, 1_700_000_000_000L, CompressionMethod.STORE, 0);

    private static final FileHeader ZIP64 = entryHeader("x", InternalZipConstants.ZIP_64_SIZE_LIMIT + 1,
            1_700_000_000_000L, CompressionMethod.STORE, 0);

    private static final int ZIP64_EXTRA_ID = (int) HeaderSignature.ZIP64_EXTRA_FIELD_SIGNATURE.getValue();

    private static final long LIMIT = InternalZipConstants.ZIP_64_SIZE_LIMIT;

    /**
     * The local header of a stored entry, byte for byte as zip4j writes it ({@code ZipHeadersTest} holds them
     * equal), without building its header objects: the per-file cost of archives of many small files.
     */
    static byte[] storedLocalHeader(byte[] names, int nameStart, int nameLength, long size, long modifiedMillis) {
        boolean zip64 = needsZip64(size);
        FileHeader template = template(size);
        ByteBuffer out = ByteBuffer.allocate(localHeaderLength(nameLength, size)).order(ByteOrder.LITTLE_ENDIAN)
                .putInt((int) HeaderSignature.LOCAL_FILE_HEADER.getValue())
                .putShort((short) template.getVersionNeededToExtract())
                .put(template.getGeneralPurposeFlag())
                .putShort((short) CompressionMethod.STORE.getCode())
                .putInt(dosTime(modifiedMillis))
                .putInt(0)
                .putInt((int) (zip64 ? LIMIT : size))
                .putInt((int) (zip64 ? LIMIT : size))
                .putShort((short) nameLength)
                .putShort((short) (zip64 ? 20 : 0))
                .put(names, nameStart, nameLength);
        if (zip64) {
            out.putShort((short) ZIP64_EXTRA_ID).putShort((short) 16).putLong(size).putLong(size);
        }
        return out.array();
    }

    /** The central-directory record of a stored entry into {@code out}, byte for byte as zip4j writes it. */
    static void storedCentralRecord(ByteBuffer out, byte[] names, int nameStart, int nameLength, long size,
            long modifiedMillis, long crc, long offset) {
        boolean zip64 = needsZip64(size) || needsZip64(offset);
        FileHeader template = template(size);
        out.putInt((int) HeaderSignature.CENTRAL_DIRECTORY.getValue())
                .putShort((short) template.getVersionMadeBy())
                .putShort((short) template.getVersionNeededToExtract())
                .put(template.getGeneralPurposeFlag())
                .putShort((short) CompressionMethod.STORE.getCode())
                .putInt(dosTime(modifiedMillis))
                .putInt((int) crc)
                .putInt((int) (zip64 ? LIMIT : size))
                .putInt((int) (zip64 ? LIMIT : size))
                .putShort((short) nameLength)
                .putShort((short) (zip64 ? 32 : 0))
                .putShort((short) 0)
                .putShort((short) (zip64 ? 0xFFFF : 0))
                .putShort((short) 0)
                .put(template.getExternalFileAttributes())
                .putInt((int) (zip64 ? LIMIT : offset))
                .put(names, nameStart, nameLength);
        if (zip64) {
            out.putShort((short) ZIP64_EXTRA_ID).putShort((short) 28).putLong(size).putLong(size).putLong(offset).putInt(0);
        }
    }

    /** zip4j asks for version 4.5 above 4 GiB - 1 bytes, where it writes ZIP64 from 4 GiB - 1 on. */
    private static FileHeader template(long size) {
        return size > LIMIT ? ZIP64 : PLAIN;
    }

    /** MS-DOS date and time in the JVM's zone, as zip4j computes it (with a Calendar, many times slower). */
    static int dosTime(long millis) {
        LocalDateTime time = LocalDateTime.ofInstant(Instant.ofEpochMilli(millis), ZoneId.systemDefault());
        if (millis < 0 || time.getYear() < 1980) {
            return (int) Zip4jUtil.epochToExtendedDosTime(millis);
        }
        return (time.getYear() - 1980) << 25 | time.getMonthValue() << 21 | time.getDayOfMonth() << 16
                | time.getHour() << 11 | time.getMinute() << 5 | time.getSecond() >> 1;
    }

    /**
     * The data descriptor of a stored entry, as zip4j writes it (signature, CRC, compressed and uncompressed
     * size, 8-byte sizes exactly when the local header used ZIP64), without building its headers again.
     */
    static byte[] storedDataDescriptor(long crc, long size) {
        boolean zip64 = needsZip64(size);
        ByteBuffer out = ByteBuffer.allocate(dataDescriptorLength(size)).order(ByteOrder.LITTLE_ENDIAN)
                .putInt((int) HeaderSignature.EXTRA_DATA_RECORD.getValue())
                .putInt((int) crc);
        if (zip64) {
            out.putLong(size).putLong(size);
        }
        else {
            out.putInt((int) size).putInt((int) size);
        }
        return out.array();
    }

    /** The data descriptor; it uses 8-byte sizes exactly when the local header used ZIP64. */
    static byte[] dataDescriptor(FileHeader header, long crc, long compressedSize) {
        LocalFileHeader local = new FileHeaderFactory().generateLocalFileHeader(header);
        local.setCrc(crc);
        local.setCompressedSize(compressedSize);
        local.setWriteCompressedSizeInZip64ExtraRecord(needsZip64(header.getUncompressedSize()));
        return serialize(out -> new HeaderWriter().writeExtendedLocalHeader(local, out));
    }

    /** Central directory, ZIP64 end records when needed, and the end-of-central-directory record. */
    static byte[] centralDirectory(List<FileHeader> headers, long offset) {
        ZipModel model = new ZipModel();
        model.getCentralDirectory().setFileHeaders(headers);
        model.getEndOfCentralDirectoryRecord().setOffsetOfStartOfCentralDirectory(offset);
        return serialize(out -> new HeaderWriter().finalizeZipFile(model, out, StandardCharsets.UTF_8));
    }

    /** The length of an end-of-central-directory record without comment. */
    private static final int END_RECORD_LENGTH = 22;

    /**
     * The records after the central directory, as zip4j writes them: ZIP64 end record and locator when
     * {@code zip64}, then the end record (counts and sizes saturated where ZIP64 holds the real ones).
     */
    static byte[] endRecords(long entries, long centralLength, long centralOffset, boolean zip64,
            FileHeader first) {
        ByteBuffer out = ByteBuffer.allocate(ZIP64_END_LENGTH + END_RECORD_LENGTH).order(ByteOrder.LITTLE_ENDIAN);
        if (zip64) {
            out.putInt((int) HeaderSignature.ZIP64_END_CENTRAL_DIRECTORY_RECORD.getValue())
                    .putLong(44)
                    .putShort((short) (first == null ? 0 : first.getVersionMadeBy()))
                    .putShort((short) (first == null ? 0 : first.getVersionNeededToExtract()))
                    .putInt(0)
                    .putInt(0)
                    .putLong(entries)
                    .putLong(entries)
                    .putLong(centralLength)
                    .putLong(centralOffset);
            out.putInt((int) HeaderSignature.ZIP64_END_CENTRAL_DIRECTORY_LOCATOR.getValue())
                    .putInt(0)
                    .putLong(centralOffset + centralLength)
                    .putInt(1);
        }
        int count = (int) Math.min(entries, InternalZipConstants.ZIP_64_NUMBER_OF_ENTRIES_LIMIT);
        out.putInt((int) HeaderSignature.END_OF_CENTRAL_DIRECTORY.getValue())
                .putShort((short) 0)
                .putShort((short) 0)
                .putShort((short) count)
                .putShort((short) count)
                .putInt((int) centralLength)
                .putInt((int) Math.min(centralOffset, InternalZipConstants.ZIP_64_SIZE_LIMIT))
                .putShort((short) 0);
        return Arrays.copyOf(out.array(), out.position());
    }

    /** ZIP64 end-of-central-directory record (56 bytes) and locator (20). */
    static final int ZIP64_END_LENGTH = 76;

    static int endRecordsLength(boolean zip64) {
        return END_RECORD_LENGTH + (zip64 ? ZIP64_END_LENGTH : 0);
    }

    /** Length of a local header: fixed part, name, and the ZIP64 extra field when the size needs it. */
    static int localHeaderLength(int nameLength, long size) {
        return 30 + nameLength + (needsZip64(size) ? 20 : 0);
    }

    static int dataDescriptorLength(long size) {
        return needsZip64(size) ? 24 : 16;
    }

    /** Length of a central-directory record: fixed part, name, and the ZIP64 extra field when size or offset need it. */
    static int centralRecordLength(int nameLength, long size, long offset) {
        return 46 + nameLength + (needsZip64(size) || needsZip64(offset) ? 32 : 0);
    }

    static boolean needsZip64(long size) {
        return size >= InternalZipConstants.ZIP_64_SIZE_LIMIT;
    }

    private interface Writing {
        void writeTo(ByteArrayOutputStream out) throws IOException;
    }

    private static byte[] serialize(Writing writing) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(128);
        try {
            writing.writeTo(out);
        }
        catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
        return out.toByteArray();
    }
}
