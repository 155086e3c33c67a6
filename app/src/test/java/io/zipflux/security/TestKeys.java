package io.zipflux.security;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;

import org.springframework.core.env.Environment;

import io.zipflux.system.DatabaseMigrations;

/**
 * API keys of a test's own, written straight into the database of the instance under test (as
 * {@code keys create} would), once its migrations have made the key table. Creating a name again gives
 * it a new key.
 */
public final class TestKeys {

    private static final Duration SCHEMA_WAIT = Duration.ofSeconds(60);

    private TestKeys() {
    }

    /** A client's key named {@code name} in the database of the instance configured by {@code environment}. */
    public static String client(Environment environment, String name) {
        return create(environment, name, false);
    }

    /** An admin's key named {@code name}. */
    public static String admin(Environment environment, String name) {
        return create(environment, name, true);
    }

    /** A key of the right shape that no database holds (for an instance that cannot reach its database). */
    public static String unknown() {
        return ApiKeySecrets.generate();
    }

    public static String create(Environment environment, String name, boolean admin) {
        return create(environment.getRequiredProperty("spring.r2dbc.url"),
                environment.getRequiredProperty("spring.r2dbc.username"),
                environment.getRequiredProperty("spring.r2dbc.password"), name, admin);
    }

    /** A key in the database at {@code r2dbcUrl}; waits for the key table to exist. */
    public static String create(String r2dbcUrl, String user, String password, String name, boolean admin) {
        String key = ApiKeySecrets.generate();
        Instant deadline = Instant.now().plus(SCHEMA_WAIT);
        while (true) {
            try (Connection connection = DriverManager.getConnection(DatabaseMigrations.jdbcUrlOf(r2dbcUrl), user, password);
                 PreparedStatement insert = connection.prepareStatement("INSERT INTO api_keys (name, key_hash, role) "
                         + "VALUES (?, ?, ?) ON CONFLICT (name) DO UPDATE SET key_hash = excluded.key_hash, "
                         + "role = excluded.role, revoked = false, revoked_at = null")) {
                insert.setString(1, name);
                insert.setBytes(2, ApiKeySecrets.hash(key));
                insert.setString(3, admin ? ApiKey.ADMIN : ApiKey.CLIENT);
                insert.executeUpdate();
                return key;
            }
            catch (SQLException ex) {
                boolean noTableYet = "42P01".equals(ex.getSQLState());
                if (!noTableYet || Instant.now().isAfter(deadline)) {
                    throw new IllegalStateException("Cannot create key " + name + " at " + r2dbcUrl, ex);
                }
                pause();
            }
        }
    }

    private static void pause() {
        try {
            Thread.sleep(100);
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(ex);
        }
    }
}
