package io.zipflux.archive;

import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;

import io.netty.util.internal.PlatformDependent;

import org.springframework.stereotype.Component;

/**
 * This JVM's direct memory, where Netty's network buffers (every chunk of every download) live: how
 * much is in use, and the limit past which an allocation fails. Both are cheap reads of counters, fit
 * for once per chunk.
 */
@Component
class NetworkMemory {

    private final BufferPoolMXBean jdkDirect = ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class).stream()
            .filter(pool -> pool.getName().equals("direct"))
            .findFirst()
            .orElse(null);

    /**
     * Bytes in use: the JDK's direct buffers (Netty's pool is made of them on a JDK that keeps
     * {@code Unsafe} closed, as 17 does) plus those Netty counts itself (when it bypasses the JDK).
     */
    long used() {
        long jdk = jdkDirect == null ? 0 : jdkDirect.getMemoryUsed();
        return jdk + Math.max(0, PlatformDependent.usedDirectMemory());
    }

    /**
     * {@code -XX:MaxDirectMemorySize} (or {@code io.netty.maxDirectMemory}), by default the maximum heap.
     * Netty's internal helper is the only public reader of the JVM's figure.
     */
    static long limit() {
        return PlatformDependent.maxDirectMemory();
    }
}
