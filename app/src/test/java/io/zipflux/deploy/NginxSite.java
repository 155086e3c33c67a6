package io.zipflux.deploy;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import io.zipflux.system.DebianTools;

/**
 * A real nginx process serving the repository's {@code deploy/nginx/zipflux.conf}, pointed at a
 * local upstream and listening on a free loopback port; configuration, temp files and logs live in
 * a temp folder. nginx runs as a single foreground process, so stopping it leaves nothing behind.
 */
final class NginxSite implements AutoCloseable {

    static final String SITE = "deploy/nginx/zipflux.conf";

    private static final Pattern UPSTREAM_LINE = Pattern.compile("(?m)^(\\s*)server\\s+app:8080;.*$");

    private static final Pattern LISTEN_LINE = Pattern.compile("(?m)^(\\s*)listen\\s+80;.*$");

    private static final Duration STARTUP = Duration.ofSeconds(10);

    private final Process process;

    private final Path dir;

    private final int port;

    private NginxSite(Process process, Path dir, int port) {
        this.process = process;
        this.dir = dir;
        this.port = port;
    }

    /** Starts nginx in front of {@code 127.0.0.1:upstreamPort}; installs nginx when missing (see DebianTools), never skips. */
    static NginxSite start(int upstreamPort) throws IOException, InterruptedException {
        String nginx = nginxBinary();
        Path dir = Files.createTempDirectory("zipflux-nginx");
        int port = freeLoopbackPort();
        Files.writeString(dir.resolve("zipflux.conf"), site(upstreamPort, port));
        Files.writeString(dir.resolve("nginx.conf"), mainConfig(dir, modulesOf(nginx)));
        Process process = new ProcessBuilder(nginx, "-p", dir + File.separator, "-c", dir.resolve("nginx.conf").toString())
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("nginx.out").toFile())
                .start();
        // Should the test JVM end without @AfterAll (a crash, a surefire timeout), nginx goes with it.
        Runtime.getRuntime().addShutdownHook(new Thread(process::destroyForcibly));
        NginxSite site = new NginxSite(process, dir, port);
        try {
            site.awaitListening();
        }
        catch (RuntimeException | InterruptedException ex) {
            site.close();
            throw ex;
        }
        return site;
    }

    int port() {
        return port;
    }

    /** What nginx wrote to its error log, for failure messages. */
    private String errorLog() {
        return read(dir.resolve("error.log")) + read(dir.resolve("nginx.out"));
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(5, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        }
        deleteRecursively(dir);
    }

    private void awaitListening() throws InterruptedException {
        long deadline = System.nanoTime() + STARTUP.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("nginx exited with " + process.exitValue() + ":\n" + errorLog());
            }
            if (answers(port)) {
                return;
            }
            Thread.sleep(50);
        }
        throw new IllegalStateException("nginx did not listen on port " + port + " within " + STARTUP + ":\n" + errorLog());
    }

    private static boolean answers(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 200);
            return true;
        }
        catch (IOException ex) {
            return false;
        }
    }

    /** The deployed site with only its two marked lines changed: the upstream and the listen port. */
    private static String site(int upstreamPort, int port) throws IOException {
        String site = Files.readString(repositoryFile(SITE));
        site = replaceOnce(site, UPSTREAM_LINE, "server 127.0.0.1:" + upstreamPort + ";");
        return replaceOnce(site, LISTEN_LINE, "listen 127.0.0.1:" + port + ";");
    }

    private static String replaceOnce(String text, Pattern line, String replacement) {
        Matcher matcher = line.matcher(text);
        if (!matcher.find()) {
            throw new IllegalStateException(SITE + " has no line matching " + line.pattern()
                    + "; the test substitutes it, keep it on one line");
        }
        return matcher.replaceFirst(Matcher.quoteReplacement(matcher.group(1) + replacement));
    }

    /**
     * A minimal nginx.conf around the site: single foreground process, and every path nginx writes
     * to inside {@code dir}, so it needs neither root nor /var/lib/nginx. Temp paths are only set
     * for modules this nginx was built with (nginx rejects the directive otherwise).
     */
    private static String mainConfig(Path dir, String modules) {
        StringBuilder temp = new StringBuilder("    client_body_temp_path " + dir.resolve("client_body") + ";\n")
                .append("    proxy_temp_path ").append(dir.resolve("proxy")).append(";\n");
        for (String module : List.of("fastcgi", "uwsgi", "scgi")) {
            if (!modules.contains("--without-http_" + module + "_module")) {
                temp.append("    ").append(module).append("_temp_path ").append(dir.resolve(module)).append(";\n");
            }
        }
        return """
                daemon off;
                master_process off;
                pid %s;
                error_log %s warn;
                events {
                    worker_connections 256;
                }
                http {
                    access_log %s;
                %s    include %s;
                }
                """.formatted(dir.resolve("nginx.pid"), dir.resolve("error.log"), dir.resolve("access.log"), temp,
                dir.resolve("zipflux.conf"));
    }

    /** {@code nginx -V}: the build options, which name the modules left out. */
    private static String modulesOf(String nginx) throws IOException, InterruptedException {
        Process version = new ProcessBuilder(nginx, "-V").redirectErrorStream(true).start();
        String output = new String(version.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        version.waitFor(5, TimeUnit.SECONDS);
        return output;
    }

    private static String nginxBinary() {
        return DebianTools.require("nginx", "nginx-light");
    }

    /** A file of the repository, found from the working directory (Surefire runs in {@code app/}). */
    static Path repositoryFile(String relative) {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path candidate = dir.resolve(relative);
            if (Files.isRegularFile(candidate)) {
                return candidate;
            }
        }
        throw new IllegalStateException(relative + " not found above " + Path.of("").toAbsolutePath());
    }

    private static int freeLoopbackPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    private static void deleteRecursively(Path root) {
        try (Stream<Path> paths = Files.walk(root)) {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        }
        catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }

    private static String read(Path file) {
        try {
            return Files.exists(file) ? Files.readString(file) : "";
        }
        catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }
}
