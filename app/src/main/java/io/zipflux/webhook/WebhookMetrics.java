package io.zipflux.webhook;

import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

import org.springframework.stereotype.Component;

/** {@code zipflux_webhooks_deliveries_total{outcome}}: attempts by how they ended, on this instance. */
@Component
class WebhookMetrics {

    /** How one attempt ended. */
    enum Outcome { DELIVERED, RETRIED, FAILED, GONE }

    private final Map<Outcome, Counter> counters = new EnumMap<>(Outcome.class);

    WebhookMetrics(MeterRegistry registry) {
        for (Outcome outcome : Outcome.values()) {
            counters.put(outcome, Counter.builder("zipflux.webhooks.deliveries")
                    .description("Webhook attempts by outcome: delivered, retried (later), failed (retries used up), gone (410)")
                    .tag("outcome", outcome.name().toLowerCase(Locale.ROOT))
                    .register(registry));
        }
    }

    void count(Outcome outcome) {
        counters.get(outcome).increment();
    }
}
