package io.zipflux.jobbus;

import jakarta.validation.constraints.NotBlank;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * The broker of the job topics ({@code spring.kafka.*}; only what the job bus uses).
 *
 * @param bootstrapServers {@code host:port} of one or more brokers, comma-separated
 */
@Validated
@ConfigurationProperties("spring.kafka")
record KafkaConnection(@NotBlank @DefaultValue("localhost:9092") String bootstrapServers) {
}
