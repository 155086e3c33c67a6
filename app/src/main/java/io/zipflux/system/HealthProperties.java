package io.zipflux.system;

import java.time.Duration;

import jakarta.validation.constraints.AssertTrue;
import jakarta.validation.constraints.NotNull;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Settings of the background checks of Kafka and PostgreSQL ({@code zipflux.health.*}) that
 * {@code /actuator/health} answers from.
 *
 * @param interval the pause between the end of one check of a service and the start of the next
 * @param timeout a check not answered this long counts as the service DOWN
 */
@Validated
@ConfigurationProperties("zipflux.health")
public record HealthProperties(
        @NotNull @DefaultValue("5s") Duration interval,
        @NotNull @DefaultValue("2s") Duration timeout) {

    @AssertTrue(message = "zipflux.health.interval must be at least 100ms")
    boolean isIntervalLongEnough() {
        return interval == null || interval.compareTo(Duration.ofMillis(100)) >= 0;
    }

    @AssertTrue(message = "zipflux.health.timeout must be at least 100ms")
    boolean isTimeoutLongEnough() {
        return timeout == null || timeout.compareTo(Duration.ofMillis(100)) >= 0;
    }
}
