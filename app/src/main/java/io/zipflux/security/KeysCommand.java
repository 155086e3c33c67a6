package io.zipflux.security;

import java.io.PrintStream;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;

import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.autoconfigure.data.r2dbc.R2dbcDataAutoConfiguration;
import org.springframework.boot.autoconfigure.r2dbc.R2dbcAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;

import io.zipflux.system.DatabaseMigrations;

/**
 * {@code java -jar zipflux.jar keys create NAME [--admin] | list | revoke NAME}: key management from the
 * command line. It reads the service's own database settings (environment, {@code config/application.yml},
 * {@code --spring.r2dbc.url=...} options), migrates the schema if needed, starts no web server and exits.
 */
public final class KeysCommand {

    static final String USAGE = """
            usage: java -jar zipflux.jar keys create NAME [--admin]   prints a new key (shown only now)
                   java -jar zipflux.jar keys list                    every key's name, role and state
                   java -jar zipflux.jar keys revoke NAME             stops the key on every instance within a second
            Database settings as for the service; options such as --spring.r2dbc.url=... may follow.""";

    /** A command line program: its main thread waits for the database, no event loop is held. */
    private static final Duration WAIT = Duration.ofSeconds(30);

    private final PrintStream out;

    private final PrintStream err;

    KeysCommand(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    /** Whether {@code args} are a keys command rather than the service's options. */
    public static boolean handles(String[] args) {
        return args.length > 0 && "keys".equals(args[0]);
    }

    /** Runs a keys command; answers the exit status (0 done, 1 refused or failed, 2 bad usage). */
    public static int run(String[] args) {
        return new KeysCommand(System.out, System.err).execute(args);
    }

    int execute(String[] args) {
        List<String> words = Arrays.stream(args).skip(1).filter(arg -> !arg.startsWith("--") || arg.equals("--admin")).toList();
        String[] options = Arrays.stream(args).skip(1).filter(arg -> arg.startsWith("--") && !arg.equals("--admin"))
                .toArray(String[]::new);
        if (!wellFormed(words)) {
            err.println(USAGE);
            return 2;
        }
        try (ConfigurableApplicationContext context = new SpringApplicationBuilder(Context.class)
                .web(WebApplicationType.NONE)
                .logStartupInfo(false)
                // Only warnings: what is printed on standard output is the command's answer (a new key, the list).
                .properties("logging.level.root=warn")
                .run(options)) {
            if (!context.getBean(DatabaseMigrations.class).ready()) {
                err.println("The database cannot be reached or migrated (see the warning above); nothing was done.");
                return 1;
            }
            return perform(words, context.getBean(ApiKeys.class));
        }
        catch (RuntimeException ex) {
            err.println("Failed: " + ex.getMessage());
            return 1;
        }
    }

    private static boolean wellFormed(List<String> words) {
        if (words.isEmpty()) {
            return false;
        }
        return switch (words.get(0)) {
            case "create" -> words.size() == 2 || words.size() == 3 && words.get(2).equals("--admin");
            case "revoke" -> words.size() == 2;
            case "list" -> words.size() == 1;
            default -> false;
        };
    }

    private int perform(List<String> words, ApiKeys keys) {
        switch (words.get(0)) {
            case "create" -> {
                ApiKeys.NewKey created = keys.create(words.get(1), words.size() == 3 ? ApiKey.ADMIN : ApiKey.CLIENT).block(WAIT);
                err.println("Key '" + created.key().name() + "' (" + created.key().role()
                        + ") created; it is shown only now, keep it:");
                out.println(created.secret());
            }
            case "revoke" -> {
                ApiKey revoked = keys.revoke(words.get(1)).block(WAIT);
                out.println("Key '" + revoked.name() + "' is revoked (since " + revoked.revokedAt() + ").");
            }
            default -> keys.list()
                    .doOnNext(key -> out.printf("%-32s %-6s %-8s %s%n", key.name(), key.role(),
                            key.revoked() ? "revoked" : "active", key.createdAt()))
                    .then()
                    .block(WAIT);
        }
        return 0;
    }

    /** Only what keys need: the database and the key table, no web server, no broker. */
    @Configuration(proxyBeanMethods = false)
    @ImportAutoConfiguration({R2dbcAutoConfiguration.class, R2dbcDataAutoConfiguration.class})
    @Import({DatabaseMigrations.class, ApiKeyRepository.class, ApiKeys.class})
    static class Context {
    }
}
