package io.zipflux.chaos;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/** The jobs of a chaos run: N of each type, with what each must produce, in a shuffled order. */
final class ChaosWorkload {

    /** The form responses every export job exports (seeded before the faults; imports write other dates). */
    static final String EXPORT_FROM = "2031-03-01";

    static final String EXPORT_TO = "2031-03-31";

    static final int EXPORT_ROWS = 20_000;

    static final int HASH_SIZE = 4 << 20;

    static final int IMPORT_ROWS = 5_000;

    static final int ORIGIN_FILE_SIZE = 2 << 20;

    private ChaosWorkload() {
    }

    static List<ChaosJob> jobs(int perType, ChaosOrigin origin, Random random) {
        List<ChaosJob> jobs = new ArrayList<>();
        for (int i = 1; i <= perType; i++) {
            byte[] content = new byte[HASH_SIZE];
            random.nextBytes(content);
            jobs.add(new ChaosJob("hash", "upload-" + i, new ChaosJob.Hash(content, ChaosChecks.digest("MD5", content),
                    ChaosChecks.sha256(content))));
            jobs.add(new ChaosJob("export", "export-" + i, new ChaosJob.Export(EXPORT_FROM, EXPORT_TO)));
            String marker = "chaos-import-" + i;
            jobs.add(new ChaosJob("import", marker, new ChaosJob.Import(marker, importCsv(marker), IMPORT_ROWS)));
            Map<String, String> urls = new LinkedHashMap<>();
            for (String part : List.of("a", "b")) {
                String name = "archive-" + i + "-" + part + ".bin";
                urls.put(name, origin.add(name, ORIGIN_FILE_SIZE, random));
            }
            jobs.add(new ChaosJob("url-archive", "archive-" + i, new ChaosJob.UrlArchive(urls)));
        }
        Collections.shuffle(jobs, random);
        return jobs;
    }

    /** Rows without ids (PostgreSQL gives them): a second run of the import would add every row again. */
    private static String importCsv(String marker) {
        StringBuilder csv = new StringBuilder("form_id,respondent,submitted_at,answers\r\n");
        for (int i = 1; i <= IMPORT_ROWS; i++) {
            csv.append(marker).append(",\"respondent ").append(i).append(", with a comma\",2030-01-01T00:00:00Z,\"{\"\"n\"\": ")
                    .append(i).append("}\"\r\n");
        }
        return csv.toString();
    }
}
