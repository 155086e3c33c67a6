package io.zipflux.system;

import io.r2dbc.spi.Connection;
import io.r2dbc.spi.ConnectionFactory;
import io.r2dbc.spi.ValidationDepth;
import reactor.core.publisher.Mono;

import org.springframework.boot.actuate.health.Health;
import org.springframework.stereotype.Component;

/**
 * Health of the job database, checked in the background with a round trip on a pooled connection. Named
 * {@code r2dbcHealthIndicator} so that it takes the place of Spring Boot's own (which waits on every call).
 */
@Component("r2dbcHealthIndicator")
class DatabaseHealth extends BackgroundHealth {

    private final ConnectionFactory database;

    DatabaseHealth(ConnectionFactory database, HealthProperties properties) {
        super("PostgreSQL", properties);
        this.database = database;
    }

    @Override
    protected Mono<Health> check() {
        return Mono.usingWhen(database.create(), DatabaseHealth::validate, Connection::close)
                .map(this::health);
    }

    private static Mono<Boolean> validate(Connection connection) {
        return Mono.from(connection.validate(ValidationDepth.REMOTE));
    }

    private Health health(boolean valid) {
        Health.Builder health = valid ? Health.up() : Health.down().withDetail("error", "the connection did not validate");
        return health.withDetail("database", database.getMetadata().getName())
                .build();
    }
}
