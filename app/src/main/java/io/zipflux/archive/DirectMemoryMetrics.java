package io.zipflux.archive;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

import org.springframework.stereotype.Component;

/**
 * {@code zipflux_direct_memory_used_bytes} and {@code zipflux_direct_memory_max_bytes}: this JVM's
 * direct memory (network buffers) as stream admission counts it, and the limit past which an
 * allocation fails ({@code -XX:MaxDirectMemorySize}, by default the maximum heap).
 */
@Component
class DirectMemoryMetrics {

    DirectMemoryMetrics(NetworkMemory memory, MeterRegistry registry) {
        Gauge.builder("zipflux.direct.memory.used", memory, NetworkMemory::used)
                .description("Direct memory in use: the JDK's direct buffers and those Netty counts itself")
                .baseUnit("bytes")
                .strongReference(true)
                .register(registry);
        Gauge.builder("zipflux.direct.memory.max", () -> NetworkMemory.limit())
                .description("Direct memory limit of this JVM; an allocation past it fails")
                .baseUnit("bytes")
                .strongReference(true)
                .register(registry);
    }
}
