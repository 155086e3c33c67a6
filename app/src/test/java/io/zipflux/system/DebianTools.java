package io.zipflux.system;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The Debian tools the tests call (7z, nginx, unzip, python3): found on the PATH (and the sbin
 * folders), installed with apt-get when missing and the tests run as root, otherwise a failure
 * that names the package to install. So {@code mvn -B verify} passes by itself on a fresh machine.
 */
public final class DebianTools {

    private static final List<String> SBIN = List.of("/usr/sbin", "/usr/local/sbin", "/sbin", "/usr/local/nginx/sbin");

    private static final DebianTools SYSTEM = new DebianTools(searchPath(), isRoot() ? new AptGet() : null);

    /** Installs a package (so that its commands appear on the search path). */
    interface Installer {
        void install(String debianPackage) throws IOException, InterruptedException;
    }

    private final List<Path> searchPath;

    /** Null: this process may not install (not root); a missing tool is then a failure naming its package. */
    private final Installer installer;

    DebianTools(List<Path> searchPath, Installer installer) {
        this.searchPath = searchPath;
        this.installer = installer;
    }

    /** The path of {@code command}, installing {@code debianPackage} first when it is missing. */
    public static String require(String command, String debianPackage) {
        return SYSTEM.find(command, debianPackage).toString();
    }

    synchronized Path find(String command, String debianPackage) {
        Optional<Path> found = lookUp(command);
        if (found.isPresent()) {
            return found.get();
        }
        if (installer == null) {
            throw new IllegalStateException("'" + command + "' is not installed and these tests do not run as root, so "
                    + "they cannot install it: run `apt-get install -y " + debianPackage + "` (Debian package "
                    + debianPackage + "), or run the tests as root, or use .ci/run");
        }
        try {
            installer.install(debianPackage);
        }
        catch (IOException | RuntimeException ex) {
            throw new IllegalStateException("'" + command + "' is missing and installing the Debian package "
                    + debianPackage + " failed: " + ex.getMessage(), ex);
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while installing the Debian package " + debianPackage, ex);
        }
        return lookUp(command).orElseThrow(() -> new IllegalStateException("the Debian package " + debianPackage
                + " was installed but provides no '" + command + "' on " + searchPath));
    }

    private Optional<Path> lookUp(String command) {
        return searchPath.stream()
                .map(folder -> folder.resolve(command))
                .filter(Files::isExecutable)
                .findFirst();
    }

    private static List<Path> searchPath() {
        String path = Optional.ofNullable(System.getenv("PATH")).orElse("");
        return Stream.concat(Stream.of(path.split(File.pathSeparator)), SBIN.stream())
                .filter(folder -> !folder.isBlank())
                .map(Path::of)
                .distinct()
                .toList();
    }

    private static boolean isRoot() {
        return "root".equals(System.getProperty("user.name"));
    }

    /** {@code apt-get update} once per test run, then {@code apt-get install -y <package>}. */
    private static final class AptGet implements Installer {

        private boolean updated;

        @Override
        public void install(String debianPackage) throws IOException, InterruptedException {
            if (!updated) {
                run(List.of("apt-get", "update", "-qq"));
                updated = true;
            }
            run(List.of("apt-get", "install", "-y", "-qq", "--no-install-recommends", debianPackage));
        }

        private static void run(List<String> command) throws IOException, InterruptedException {
            ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
            builder.environment().put("DEBIAN_FRONTEND", "noninteractive");
            Process process = builder.start();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(10, TimeUnit.MINUTES) || process.exitValue() != 0) {
                throw new IOException(String.join(" ", command) + " failed:\n" + output);
            }
        }
    }
}
