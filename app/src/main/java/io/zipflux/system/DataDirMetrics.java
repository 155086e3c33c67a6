package io.zipflux.system;

import java.io.IOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

import org.springframework.stereotype.Component;

/**
 * {@code zipflux_data_dir_free_bytes} and {@code zipflux_data_dir_total_bytes}: the file system of
 * {@code zipflux.data-dir} (free: what this process may still write). The instances of a deployment
 * share it, so each shows the same figures: take their {@code max} across instances. NaN while the
 * file system cannot be read.
 */
@Component
class DataDirMetrics {

    /** One figure of a file system. */
    private interface Space {
        long of(FileStore store) throws IOException;
    }

    private final Path dataDir;

    DataDirMetrics(DataDirProperties properties, MeterRegistry registry) {
        this.dataDir = properties.dataDir().toAbsolutePath();
        gauge(registry, "zipflux.data.dir.free", "Bytes this instance may still write to the data dir's file system",
                FileStore::getUsableSpace);
        gauge(registry, "zipflux.data.dir.total", "Size of the data dir's file system", FileStore::getTotalSpace);
    }

    private void gauge(MeterRegistry registry, String name, String description, Space space) {
        Gauge.builder(name, this, metrics -> metrics.read(space))
                .description(description)
                .baseUnit("bytes")
                .strongReference(true)
                .register(registry);
    }

    /** Of the data dir's file system, or of its nearest existing parent's before the folder is made. */
    private double read(Space space) {
        Path existing = dataDir;
        while (existing != null && !Files.exists(existing)) {
            existing = existing.getParent();
        }
        try {
            return existing == null ? Double.NaN : space.of(Files.getFileStore(existing));
        }
        catch (IOException | RuntimeException ex) {
            return Double.NaN;
        }
    }
}
