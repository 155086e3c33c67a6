package io.zipflux.chaos;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

import com.fasterxml.jackson.databind.JsonNode;

import io.zipflux.job.CsvRecords;
import io.zipflux.job.ResponsesTable;

/**
 * Judges each chaos job once all are terminal (or the wait is over): lost (never accepted, never
 * terminal, or gone), duplicated (run to a second result), wrong (a result that does not match what
 * was sent: hashes, the export against PostgreSQL's own COPY, the zip's entries, an import not all-or-nothing).
 */
final class ChaosChecks {

    private static final Duration LIMIT = Duration.ofSeconds(30);

    private final ChaosApi api;

    private final ResponsesTable table;

    private final ChaosOrigin origin;

    private final Map<String, String> expectedExports = new HashMap<>();

    ChaosChecks(ChaosApi api, ResponsesTable table, ChaosOrigin origin) {
        this.api = api;
        this.table = table;
        this.origin = origin;
    }

    /** The verdict on one job: null when it is right, else its category and why. */
    record Verdict(String category, String why) {
    }

    Verdict judge(ChaosJob job) throws Exception {
        if (!job.accepted()) {
            return new Verdict("lost", "never accepted; " + job.notes + lastTries(job));
        }
        if (job.missing) {
            return new Verdict("lost", "the API answers 404 for the accepted job");
        }
        if (!job.terminal()) {
            return new Verdict("lost", "not terminal: " + job.state() + " " + job.last);
        }
        if (job.changedAfterTerminal != null) {
            return new Verdict("duplicated", job.changedAfterTerminal);
        }
        if (job.expected instanceof ChaosJob.Import data) {
            return judgeImport(job, data);
        }
        JsonNode done = job.firstTerminal;
        if (!done.path("state").asText().equals("SUCCEEDED")) {
            return new Verdict("wrong", done.path("state").asText() + ": " + done.path("error").asText());
        }
        String mismatch = mismatch(job);
        return mismatch == null ? null : new Verdict("wrong", mismatch);
    }

    private Verdict judgeImport(ChaosJob job, ChaosJob.Import data) throws Exception {
        long rows = table.count(data.marker());
        String state = job.firstTerminal.path("state").asText();
        String seen = state + " with " + rows + " of " + data.rows() + " rows; " + job.notes + " error: "
                + job.firstTerminal.path("error").asText();
        if (rows > data.rows()) {
            return new Verdict("duplicated", seen);
        }
        boolean consistent = state.equals("SUCCEEDED") ? rows == data.rows() : rows == 0;
        return consistent ? null : new Verdict("wrong", seen);
    }

    /** What is wrong with a SUCCEEDED job's result, or null. */
    private String mismatch(ChaosJob job) throws Exception {
        if (job.expected instanceof ChaosJob.Hash hash) {
            JsonNode answer = api.get("/api/v1/files/" + job.fileId + "/hash", LIMIT).json();
            boolean right = hash.md5().equals(answer.path("md5").asText()) && hash.sha256().equals(answer.path("sha256").asText());
            return right ? null : "hash answer " + answer + ", expected md5 " + hash.md5();
        }
        if (job.expected instanceof ChaosJob.Export export) {
            ChaosApi.Answer file = api.get("/api/v1/exports/" + job.id + "/download", LIMIT);
            String csv = new String(file.body(), StandardCharsets.UTF_8);
            String expected = expectedExports.computeIfAbsent(export.from() + "/" + export.to(), this::copyOut);
            return file.status() == 200 && CsvRecords.withLfRecordEnds(csv).equals(expected) ? null
                    : "export download " + file.status() + ", " + csv.length() + " chars, expected " + expected.length()
                            + " (PostgreSQL's COPY of the range)";
        }
        ChaosJob.UrlArchive archive = (ChaosJob.UrlArchive) job.expected;
        ChaosApi.Answer zip = api.get("/api/v1/archives/" + job.id + "/download", LIMIT);
        Map<String, String> entries = zip.status() == 200 ? entrySha256s(zip.body()) : Map.of();
        Map<String, String> expected = new HashMap<>();
        archive.urlsByName().keySet().forEach(name -> expected.put(name, sha256(origin.bytes(name))));
        return entries.equals(expected) ? null : "zip (status " + zip.status() + ") entries " + entries.keySet()
                + " differ from " + expected.keySet() + " or in content";
    }

    private String copyOut(String range) {
        String[] dates = range.split("/");
        try {
            return table.copyOut(ResponsesTable.EXPORT_QUERY.formatted(dates[0], dates[1]));
        }
        catch (Exception ex) {
            throw new IllegalStateException("COPY of the export range failed", ex);
        }
    }

    /** Entry names and SHA-256s, read with java.util.zip's central-directory reader (as an unzip tool reads). */
    private static Map<String, String> entrySha256s(byte[] zip) throws IOException {
        Path file = Files.createTempFile("chaos", ".zip");
        try {
            Files.write(file, zip);
            Map<String, String> entries = new HashMap<>();
            try (ZipFile archive = new ZipFile(file.toFile())) {
                for (ZipEntry entry : java.util.Collections.list(archive.entries())) {
                    try (var in = archive.getInputStream(entry)) {
                        entries.put(entry.getName(), sha256(in.readAllBytes()));
                    }
                }
            }
            return entries;
        }
        finally {
            Files.delete(file);
        }
    }

    static String sha256(byte[] bytes) {
        return digest("SHA-256", bytes);
    }

    static String digest(String algorithm, byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance(algorithm).digest(bytes));
        }
        catch (java.security.NoSuchAlgorithmException ex) {
            throw new IllegalStateException(ex);
        }
    }

    private static String lastTries(ChaosJob job) {
        List<String> tries = job.failedTries;
        return tries.isEmpty() ? "" : " last failed try: " + tries.get(tries.size() - 1);
    }
}
