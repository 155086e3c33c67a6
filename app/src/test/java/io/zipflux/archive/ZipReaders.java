package io.zipflux.archive;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Collections;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

import io.zipflux.system.DebianTools;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Independent zip readers: Info-ZIP's {@code unzip}, Python's {@code zipfile}, {@code java.util.zip}
 * and 7-Zip. Each reads the archive on its own terms and reports names and digests (MD5 unless
 * another algorithm is named) of the contents.
 */
public final class ZipReaders {

    private ZipReaders() {
    }

    /** name → MD5 of every regular file under a folder, names relative and '/'-separated. */
    static Map<String, String> expected(Path folder) throws IOException {
        Map<String, String> files = new TreeMap<>();
        try (Stream<Path> paths = Files.walk(folder)) {
            for (Path path : (Iterable<Path>) paths.filter(Files::isRegularFile)::iterator) {
                try (InputStream in = Files.newInputStream(path)) {
                    files.put(folder.relativize(path).toString(), md5(in));
                }
            }
        }
        return files;
    }

    /** {@code unzip -t}: tests every entry's CRC. */
    public static void unzipTest(Path zip) throws Exception {
        String output = run(DebianTools.require("unzip", "unzip"), "-t", zip.toString());
        assertThat(output).contains("No errors detected");
    }

    /** 7-Zip's test command. */
    static void sevenZipTest(Path zip) throws Exception {
        String output = run(DebianTools.require("7z", "p7zip-full"), "t", zip.toString());
        assertThat(output).contains("Everything is Ok");
    }

    /** Python's zipfile: CRC test plus name → MD5, and whether every entry has the UTF-8 flag. */
    static Map<String, String> python(Path zip) throws Exception {
        return python(zip, "MD5");
    }

    /** Python's zipfile: CRC test plus name → digest by {@code algorithm} (hashlib's name, e.g. "sha256"). */
    public static Map<String, String> python(Path zip, String algorithm) throws Exception {
        String script = """
                import hashlib, sys, zipfile
                z = zipfile.ZipFile(sys.argv[1])
                bad = z.testzip()
                if bad: sys.exit('bad entry: ' + bad)
                for i in z.infolist():
                    utf8 = 'utf8' if i.flag_bits & 0x800 else 'cp437'
                    print(hashlib.new(sys.argv[2], z.read(i)).hexdigest(), utf8, i.filename, sep='\\t')
                """;
        Map<String, String> files = new TreeMap<>();
        for (String line : run(python3(), "-c", script, zip.toString(), algorithm.toLowerCase().replace("-", "")).split("\n")) {
            if (!line.isBlank()) {
                String[] fields = line.split("\t", 3);
                assertThat(fields[1]).as("UTF-8 flag of %s", fields[2]).isEqualTo("utf8");
                files.put(fields[2], fields[0]);
            }
        }
        return files;
    }

    /** Python 3, installed when missing. */
    static String python3() {
        return DebianTools.require("python3", "python3");
    }

    /** java.util.zip.ZipFile: name → MD5. */
    static Map<String, String> javaZip(Path zip) throws IOException {
        return javaZip(zip, "MD5");
    }

    /** java.util.zip.ZipFile: name → digest by {@code algorithm} (a MessageDigest name, e.g. "SHA-256"). */
    public static Map<String, String> javaZip(Path zip, String algorithm) throws IOException {
        Map<String, String> files = new TreeMap<>();
        try (ZipFile zipFile = new ZipFile(zip.toFile(), StandardCharsets.UTF_8)) {
            for (ZipEntry entry : Collections.list(zipFile.entries())) {
                try (InputStream in = zipFile.getInputStream(entry)) {
                    files.put(entry.getName(), digest(in, algorithm));
                }
            }
        }
        return files;
    }

    static String md5(InputStream in) throws IOException {
        return digest(in, "MD5");
    }

    private static String digest(InputStream in, String algorithm) throws IOException {
        MessageDigest digest = digest(algorithm);
        byte[] buffer = new byte[64 * 1024];
        for (int read; (read = in.read(buffer)) > 0; ) {
            digest.update(buffer, 0, read);
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    private static MessageDigest digest(String algorithm) {
        try {
            return MessageDigest.getInstance(algorithm);
        }
        catch (NoSuchAlgorithmException ex) {
            throw new IllegalStateException(ex);
        }
    }

    static String run(String... command) throws Exception {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(120, TimeUnit.SECONDS)).as("%s finished", command[0]).isTrue();
        assertThat(process.exitValue()).as("%s exit code, output:%n%s", command[0], output).isZero();
        return output;
    }
}
