package io.zipflux.system;

import java.lang.management.ManagementFactory;
import java.time.Duration;

import com.sun.management.UnixOperatingSystemMXBean;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Settings of the HTTP server's connections ({@code zipflux.http.*}); the idle time between two requests
 * is Spring Boot's {@code server.netty.idle-timeout}.
 *
 * @param headerTimeout a request whose line and headers are not complete this long after its first byte
 *        (or after the connection opened) is closed
 * @param stallTimeout a direct CSV download whose client takes nothing this long is cut
 * @param maxConnections open connections past which new ones are closed on accept; empty: derived from the
 *        process's file descriptor limit (see {@link #connectionLimit()})
 */
@Validated
@ConfigurationProperties("zipflux.http")
public record HttpProperties(
        @NotNull @DefaultValue("10s") Duration headerTimeout,
        @NotNull @DefaultValue("60s") Duration stallTimeout,
        @Min(1) Integer maxConnections) {

    /** Descriptors assumed when the limit cannot be read (not a Unix JVM). */
    private static final long ASSUMED_DESCRIPTORS = 4096;

    /**
     * {@code max-connections}, or three quarters of the file descriptor limit: the last quarter stays for
     * the files being read, the database and Kafka connections, logs and the JVM itself.
     */
    public int connectionLimit() {
        if (maxConnections != null) {
            return maxConnections;
        }
        long descriptors = ManagementFactory.getOperatingSystemMXBean() instanceof UnixOperatingSystemMXBean unix
                ? unix.getMaxFileDescriptorCount()
                : ASSUMED_DESCRIPTORS;
        return (int) Math.max(1, Math.min(Integer.MAX_VALUE, descriptors / 4 * 3));
    }
}
