package io.zipflux;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;

import reactor.core.scheduler.Schedulers;

import org.springframework.context.ConfigurableApplicationContext;

import io.zipflux.security.ApiKeys;
import io.zipflux.system.DataDir;
import io.zipflux.system.DatabaseMigrations;

/**
 * The local run's admin key: created once the schema is ready, printed, and written to
 * {@code <data-dir>/local-admin.key} so that the README's examples can read it
 * ({@code KEY=$(cat data/local-admin.key)}).
 */
final class LocalAdminKey {

    static final String FILE = "local-admin.key";

    private LocalAdminKey() {
    }

    static void create(ConfigurableApplicationContext context) {
        Path file = context.getBean(DataDir.class).folder(".").resolve(FILE).normalize();
        context.getBean(DatabaseMigrations.class).whenReady()
                .then(context.getBean(ApiKeys.class).create("local-admin-" + Instant.now().getEpochSecond(), "admin"))
                .publishOn(Schedulers.boundedElastic())
                .subscribe(created -> {
                    write(file, created.secret());
                    System.out.printf("%n  Admin key of this local run (also in %s):%n  %s%n"
                            + "  curl -H 'Authorization: Bearer %s' http://localhost:%s/api/v1/jobs%n%n",
                            file, created.secret(), created.secret(),
                            context.getEnvironment().getProperty("local.server.port", "8080"));
                }, error -> System.err.println("No admin key for the local run: " + error.getMessage()));
    }

    private static void write(Path file, String key) {
        try {
            Files.writeString(file, key + "\n");
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        }
        catch (IOException ex) {
            throw new UncheckedIOException("Cannot write " + file, ex);
        }
    }
}
