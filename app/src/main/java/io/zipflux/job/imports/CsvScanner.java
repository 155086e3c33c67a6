package io.zipflux.job.imports;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

import io.netty.buffer.ByteBuf;
import io.netty.util.ByteProcessor;

import io.zipflux.job.responses.ResponseColumns;

/**
 * Follows an RFC 4180 CSV as it streams past, without copying it: where records end (a line break
 * outside quotes), how many fields each has, on which line each starts. It reads the header's column
 * names and checks every record against them; the values themselves are PostgreSQL's to check.
 */
final class CsvScanner implements ByteProcessor {

    private static final List<String> COLUMNS = ResponseColumns.ALL;

    private static final List<String> REQUIRED = ResponseColumns.DATA;

    private static final int MAX_HEADER = 4096;

    private final ByteArrayOutputStream header = new ByteArrayOutputStream();

    private List<String> columns;

    private boolean inQuotes;

    private boolean recordEmpty = true;

    private int fields = 1;

    private long line = 1;

    private long recordLine = 1;

    private long rows;

    private RuntimeException rejected;

    private final long maxFieldBytes;

    /** Bytes of the current field so far, quotes included. */
    private long fieldBytes;

    CsvScanner(long maxFieldBytes) {
        this.maxFieldBytes = maxFieldBytes;
    }

    /** Scans the readable bytes of {@code buffer} (leaving its indexes alone). */
    void scan(ByteBuf buffer) {
        if (columns == null && header.size() == 0 && startsWithBom(buffer)) {
            buffer.skipBytes(3);
        }
        buffer.forEachByte(this);
        if (rejected != null) {
            throw rejected;
        }
    }

    /** At the end of the input: the last record may lack its line break; an open quote is an error. */
    void finish() {
        if (inQuotes) {
            throw new ImportRejectedException("line " + recordLine + ": a quoted field is not closed before the end of the data");
        }
        if (!recordEmpty) {
            endRecord();
            if (rejected != null) {
                throw rejected;
            }
        }
        if (columns == null) {
            throw new ImportRejectedException("the data is empty: it needs a header line such as " + String.join(",", COLUMNS));
        }
    }

    boolean headerRead() {
        return columns != null;
    }

    /** The columns named by the header, in its order. */
    List<String> columns() {
        return columns;
    }

    /** Data rows (after the header) seen complete so far. */
    long rows() {
        return rows;
    }

    @Override
    public boolean process(byte b) {
        if (columns == null) {
            if (header.size() >= MAX_HEADER) {
                rejected = new ImportRejectedException("line 1: the header is longer than " + MAX_HEADER + " bytes");
                return false;
            }
            header.write(b);
        }
        if (++fieldBytes > maxFieldBytes && (inQuotes || b != ',' && b != '\n' && b != '\r')) {
            rejected = new ImportRejectedException("line " + recordLine + ": field " + fields + " is longer than "
                    + maxFieldBytes + " bytes (zipflux.imports.max-field-size)");
            return false;
        }
        if (b == '"') {
            inQuotes = !inQuotes; // "" inside a quoted field toggles twice: still inside
            recordEmpty = false;
        }
        else if (b == '\n') {
            line++;
            if (!inQuotes) {
                endRecord();
                recordLine = line;
            }
        }
        else if (!inQuotes && b == ',') {
            fields++;
            fieldBytes = 0;
            recordEmpty = false;
        }
        else if (b != '\r') {
            recordEmpty = false;
        }
        return rejected == null;
    }

    private void endRecord() {
        if (columns == null) {
            columns = columnsOf(header.toString(StandardCharsets.UTF_8));
        }
        else if (recordEmpty) {
            rejected = new ImportRejectedException("line " + recordLine + " is empty; every line after the header is a response");
        }
        else if (fields != columns.size()) {
            rejected = new ImportRejectedException("line " + recordLine + " has " + fields + " field"
                    + (fields == 1 ? "" : "s") + "; the header has " + columns.size());
        }
        else {
            rows++;
        }
        fields = 1;
        fieldBytes = 0;
        recordEmpty = true;
    }

    private List<String> columnsOf(String headerLine) {
        List<String> names = new ArrayList<>();
        for (String name : headerLine.strip().split(",", -1)) {
            names.add(name.strip().replace("\"", "").toLowerCase(Locale.ROOT));
        }
        Set<String> seen = new LinkedHashSet<>();
        for (String name : names) {
            if (!COLUMNS.contains(name)) {
                rejected = new ImportRejectedException("line 1: unknown column '" + name + "'; the columns are "
                        + String.join(", ", COLUMNS) + " (id may be left out)");
            }
            else if (!seen.add(name)) {
                rejected = new ImportRejectedException("line 1: column '" + name + "' appears twice");
            }
        }
        if (rejected == null && !seen.containsAll(REQUIRED)) {
            Set<String> missing = new LinkedHashSet<>(REQUIRED);
            missing.removeAll(seen);
            rejected = new ImportRejectedException("line 1: the header lacks " + String.join(", ", missing)
                    + "; the columns are " + String.join(", ", COLUMNS) + " (id may be left out)");
        }
        return List.copyOf(names);
    }

    private static boolean startsWithBom(ByteBuf buffer) {
        int at = buffer.readerIndex();
        return buffer.readableBytes() >= 3 && buffer.getUnsignedByte(at) == 0xEF
                && buffer.getUnsignedByte(at + 1) == 0xBB && buffer.getUnsignedByte(at + 2) == 0xBF;
    }
}
