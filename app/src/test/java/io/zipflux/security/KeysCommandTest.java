package io.zipflux.security;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.zipflux.ZipfluxApplication;
import io.zipflux.system.DatabaseMigrations;
import io.zipflux.system.LocalServices;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code java -jar zipflux.jar keys create|list|revoke}: against a real PostgreSQL, with the service's
 * own settings; it prints a new key once, stores only its hash, starts no web server and exits.
 */
class KeysCommandTest {

    private static String r2dbcUrl;

    @BeforeAll
    static void database() {
        r2dbcUrl = LocalServices.get().r2dbcUrl(LocalServices.get().createDatabase());
    }

    /** One run of the command: its exit status and what it printed. */
    private record Run(int status, String out, String err) {
    }

    private static Run keys(String... words) {
        List<String> args = new ArrayList<>(List.of("keys"));
        args.addAll(List.of(words));
        args.addAll(settings(r2dbcUrl));
        return run(args);
    }

    private static Run run(List<String> args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = new KeysCommand(new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8)).execute(args.toArray(String[]::new));
        return new Run(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private static List<String> settings(String url) {
        return List.of("--zipflux.local-services=false", "--spring.r2dbc.url=" + url, "--spring.r2dbc.username=postgres",
                "--spring.r2dbc.password=postgres");
    }

    @Test
    void createPrintsTheKeyOnceAndStoresOnlyItsHash() throws Exception {
        Run created = keys("create", "deploy-bot", "--admin");
        assertThat(created.status()).as(created.err()).isZero();
        String key = created.out().strip();
        assertThat(key).startsWith("zf_").hasSize(46).doesNotContain("\n");
        assertThat(created.err()).contains("'deploy-bot' (admin)", "shown only now");
        assertThat(roleOfHash(key)).isEqualTo("admin");

        Run listed = keys("list");
        assertThat(listed.status()).isZero();
        assertThat(listed.out()).containsPattern("deploy-bot +admin +active").doesNotContain(key).doesNotContain(key.substring(3));

        Run again = keys("create", "deploy-bot");
        assertThat(again.status()).isEqualTo(1);
        assertThat(again.err()).contains("'deploy-bot' exists");
    }

    @Test
    void revokeMarksTheKeyRevokedAndNamesAnUnknownOne() {
        assertThat(keys("create", "to-revoke").status()).isZero();

        Run revoked = keys("revoke", "to-revoke");
        assertThat(revoked.status()).as(revoked.err()).isZero();
        assertThat(revoked.out()).contains("'to-revoke' is revoked");
        assertThat(keys("list").out()).containsPattern("to-revoke +client +revoked");

        Run unknown = keys("revoke", "nobody-by-this-name");
        assertThat(unknown.status()).isEqualTo(1);
        assertThat(unknown.err()).contains("No key is named 'nobody-by-this-name'");
    }

    @Test
    void badUsageIsExitStatus2WithTheUsage() {
        for (List<String> words : List.<List<String>>of(List.of(), List.of("create"), List.of("create", "a", "b"), List.of("frobnicate"),
                List.of("list", "extra"))) {
            List<String> args = new ArrayList<>(List.of("keys"));
            args.addAll(words);
            Run run = run(args);
            assertThat(run.status()).as("keys %s", words).isEqualTo(2);
            assertThat(run.err()).contains("usage: java -jar zipflux.jar keys create NAME [--admin]");
        }
        Run badName = keys("create", "has space");
        assertThat(badName.status()).isEqualTo(1);
        assertThat(badName.err()).contains("1 to 64 letters");
    }

    @Test
    void anUnreachableDatabaseIsExitStatus1AndDoesNothing() {
        List<String> args = new ArrayList<>(List.of("keys", "list"));
        args.addAll(settings("r2dbc:postgresql://127.0.0.1:1/zipflux"));
        Run run = run(args);
        assertThat(run.status()).isEqualTo(1);
        assertThat(run.err()).contains("cannot be reached");
    }

    @Test
    void theJarsMainRunsTheCommandWithoutAWebServerAndExits() throws Exception {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), ZipfluxApplication.class.getName(),
                "keys", "create", "from-main"));
        command.addAll(settings(r2dbcUrl));
        Path out = Files.createTempFile("zipflux-keys", ".out");
        Path err = Files.createTempFile("zipflux-keys", ".err");
        Process process = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        assertThat(process.waitFor(90, TimeUnit.SECONDS)).as("the command exits").isTrue();

        assertThat(process.exitValue()).as(Files.readString(err)).isZero();
        String key = Files.readString(out).strip();
        assertThat(key).as("standard output is the key alone, for KEY=$(... keys create ...)").matches("zf_[A-Za-z0-9_-]{43}");
        assertThat(roleOfHash(key)).isEqualTo("client");
        assertThat(Files.readString(out) + Files.readString(err)).doesNotContain("Netty started", "Instance ");
    }

    private static String roleOfHash(String key) throws Exception {
        try (Connection db = DriverManager.getConnection(DatabaseMigrations.jdbcUrlOf(r2dbcUrl), "postgres", "postgres");
             PreparedStatement query = db.prepareStatement("SELECT role FROM api_keys WHERE key_hash = ?")) {
            query.setBytes(1, ApiKeySecrets.hash(key));
            try (ResultSet row = query.executeQuery()) {
                return row.next() ? row.getString(1) : null;
            }
        }
    }
}
