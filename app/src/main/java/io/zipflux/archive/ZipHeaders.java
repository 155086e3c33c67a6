package io.zipflux.archive;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

import net.lingala.zip4j.headers.FileHeaderFactory;
import net.lingala.zip4j.headers.HeaderWriter;
import net.lingala.zip4j.model.FileHeader;
import net.lingala.zip4j.model.LocalFileHeader;
import net.lingala.zip4j.model.ZipModel;
import net.lingala.zip4j.model.ZipParameters;
import net.lingala.zip4j.model.enums.CompressionMethod;
import net.lingala.zip4j.util.InternalZipConstants;
import net.lingala.zip4j.util.RawIO;

/**
 * The zip records around file data, serialized by zip4j: local headers (UTF-8 names, data
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
        ZipParameters parameters = new ZipParameters();
        parameters.setCompressionMethod(method);
        parameters.setFileNameInZip(entry.name());
        parameters.setEntrySize(entry.size());
        parameters.setLastModifiedFileTime(entry.lastModifiedMillis());
        parameters.setWriteExtendedLocalFileHeader(true);
        try {
            FileHeader header = new FileHeaderFactory()
                    .generateFileHeader(parameters, false, 0, StandardCharsets.UTF_8, new RawIO());
            header.setCompressedSize(method == CompressionMethod.STORE ? entry.size() : 0);
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
