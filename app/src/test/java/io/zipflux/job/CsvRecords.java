package io.zipflux.job;

import java.util.ArrayList;
import java.util.List;

/** A small RFC 4180 reader for tests (CRLF or LF line ends), independent of the service's CSV code. */
public final class CsvRecords {

    private CsvRecords() {
    }

    /** The CSV with CRLF record ends turned into LF (line breaks inside quoted fields stay as they are). */
    public static String withLfRecordEnds(String csv) {
        StringBuilder out = new StringBuilder(csv.length());
        boolean quoted = false;
        for (int i = 0; i < csv.length(); i++) {
            char c = csv.charAt(i);
            quoted ^= c == '"';
            if (!quoted && c == '\r' && i + 1 < csv.length() && csv.charAt(i + 1) == '\n') {
                continue;
            }
            out.append(c);
        }
        return out.toString();
    }

    public static List<List<String>> parse(String csv) {
        List<List<String>> records = new ArrayList<>();
        List<String> record = new ArrayList<>();
        StringBuilder field = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < csv.length(); i++) {
            char c = csv.charAt(i);
            if (quoted) {
                if (c == '"' && i + 1 < csv.length() && csv.charAt(i + 1) == '"') {
                    field.append('"');
                    i++;
                }
                else if (c == '"') {
                    quoted = false;
                }
                else {
                    field.append(c);
                }
            }
            else if (c == '"') {
                quoted = true;
            }
            else if (c == ',') {
                record.add(field.toString());
                field.setLength(0);
            }
            else if (c == '\n' || c == '\r' && i + 1 < csv.length() && csv.charAt(i + 1) == '\n') {
                i += c == '\r' ? 1 : 0;
                record.add(field.toString());
                field.setLength(0);
                records.add(record);
                record = new ArrayList<>();
            }
            else {
                field.append(c);
            }
        }
        if (field.length() > 0 || !record.isEmpty()) {
            record.add(field.toString());
            records.add(record);
        }
        return records;
    }
}
