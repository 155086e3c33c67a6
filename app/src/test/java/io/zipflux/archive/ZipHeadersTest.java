package io.zipflux.archive;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import net.lingala.zip4j.headers.HeaderWriter;
import net.lingala.zip4j.model.FileHeader;
import net.lingala.zip4j.model.ZipModel;
import net.lingala.zip4j.model.enums.CompressionMethod;
import net.lingala.zip4j.util.InternalZipConstants;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The layout's arithmetic and the records written by hand agree with what zip4j serializes, for plain
 * and ZIP64 sizes, offsets and entry counts: the lengths decide every later offset of an archive.
 */
class ZipHeadersTest {

    private static final long FOUR_GIB = 1L << 32;

    @ParameterizedTest(name = "size {0}, offset {1}")
    @CsvSource({"0, 0", "1000, 5000", "4294967294, 0", "4294967295, 0", "8589934592, 10", "1000, 4294967295",
            "1000, 8589934592"})
    void recordLengthsAndDescriptorsMatchZip4j(long size, long offset) throws Exception {
        String name = "dir/ünïcode-name.jpg";
        int nameLength = name.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
        FileHeader header = ZipHeaders.entryHeader(name, size, 1_700_000_000_000L, CompressionMethod.STORE, offset);

        assertThat(ZipHeaders.localHeader(header)).hasSize(ZipHeaders.localHeaderLength(nameLength, size));
        assertThat(ZipHeaders.storedDataDescriptor(0x12345678L, size))
                .isEqualTo(ZipHeaders.dataDescriptor(header, 0x12345678L, size))
                .hasSize(ZipHeaders.dataDescriptorLength(size));
        header.setCrc(0xCAFEBABEL);
        assertThat(zip4jRecords(List.of(header)))
                .hasSize(ZipHeaders.centralRecordLength(nameLength, size, offset));
    }

    @ParameterizedTest(name = "size {0}, offset {1}, time {2}")
    @CsvSource({"0, 0, 1700000000000", "51200, 5000, 1700000001999", "4294967294, 0, 315532800000",
            "4294967295, 0, 1711846800000", "8589934592, 10, 1729990800000", "1000, 4294967295, 946684799000",
            "1000, 8589934592, 1234567890123", "7, 3, 100000", "7, 3, -5000"})
    void recordsWrittenByHandAreZip4jsByteForByte(long size, long offset, long millis) throws Exception {
        byte[] name = "dir/ünïcode-name.jpg".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        byte[] names = new byte[name.length + 3];
        System.arraycopy(name, 0, names, 3, name.length);
        FileHeader header = ZipHeaders.entryHeader("dir/ünïcode-name.jpg", size, millis, CompressionMethod.STORE, offset);

        assertThat(ZipHeaders.storedLocalHeader(names, 3, name.length, size, millis))
                .isEqualTo(ZipHeaders.localHeader(header));
        header.setCrc(0xCAFEBABEL);
        java.nio.ByteBuffer central = java.nio.ByteBuffer.allocate(ZipHeaders.centralRecordLength(name.length, size, offset))
                .order(java.nio.ByteOrder.LITTLE_ENDIAN);
        ZipHeaders.storedCentralRecord(central, names, 3, name.length, size, millis, 0xCAFEBABEL, offset);
        assertThat(central.array()).isEqualTo(zip4jRecords(List.of(header)));
    }

    @Test
    void dosTimesAreZip4jsAcrossYearsAndDaylightSavingChanges() {
        for (long millis = 315_532_800_000L; millis < 1_900_000_000_000L; millis += 3_599_999L * 37) {
            assertThat(ZipHeaders.dosTime(millis)).as("time %d", millis)
                    .isEqualTo((int) net.lingala.zip4j.util.Zip4jUtil.epochToExtendedDosTime(millis));
        }
    }

    @ParameterizedTest(name = "{0} entries at offset {1}")
    @CsvSource({"3, 1000", "65534, 1000", "65535, 1000", "70000, 1000", "3, 4294967295", "3, 8589934592"})
    void endRecordsMatchZip4j(int entries, long centralOffset) throws Exception {
        List<FileHeader> headers = new ArrayList<>(entries);
        for (int i = 0; i < entries; i++) {
            headers.add(ZipHeaders.entryHeader("f" + i, 10, 1_700_000_000_000L, CompressionMethod.STORE, i * 100L));
        }
        byte[] zip4j = ZipHeaders.centralDirectory(headers, centralOffset);
        byte[] records = zip4jRecords(headers);
        boolean zip64 = ZipHeaders.needsZip64(centralOffset) || entries >= 65535;

        byte[] ours = ZipHeaders.endRecords(entries, records.length, centralOffset, zip64, headers.get(0));

        assertThat(ours).hasSize(ZipHeaders.endRecordsLength(zip64));
        assertThat(Arrays.copyOfRange(zip4j, records.length, zip4j.length)).isEqualTo(ours);
        assertThat(Arrays.copyOf(zip4j, records.length)).isEqualTo(records);
    }

    @Test
    void centralRecordsOfAZip64EntryCarryNoEndRecords() throws Exception {
        FileHeader big = ZipHeaders.entryHeader("big.raw", 5 * FOUR_GIB, 1_700_000_000_000L, CompressionMethod.STORE, 0);
        FileHeader small = ZipHeaders.entryHeader("small.txt", 10, 1_700_000_000_000L, CompressionMethod.STORE, 5 * FOUR_GIB + 100);

        byte[] records = zip4jRecords(List.of(big, small));

        assertThat(records).hasSize(ZipHeaders.centralRecordLength(7, 5 * FOUR_GIB, 0)
                + ZipHeaders.centralRecordLength(9, 10, 5 * FOUR_GIB + 100));
    }

    /** zip4j's own central-directory records of {@code headers}: what it writes before its end records, which are cut off. */
    private static byte[] zip4jRecords(List<FileHeader> headers) throws java.io.IOException {
        ZipModel model = new ZipModel();
        model.getCentralDirectory().setFileHeaders(headers);
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        new HeaderWriter().finalizeZipFile(model, out, java.nio.charset.StandardCharsets.UTF_8);
        boolean zip64 = model.isZip64Format() || headers.size() >= InternalZipConstants.ZIP_64_NUMBER_OF_ENTRIES_LIMIT;
        return Arrays.copyOf(out.toByteArray(), out.size() - ZipHeaders.endRecordsLength(zip64));
    }
}
