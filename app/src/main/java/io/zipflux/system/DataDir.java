package io.zipflux.system;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.springframework.stereotype.Component;

/** Where uploads, exports and built archives are kept ({@code zipflux.data-dir}, env {@code ZIPFLUX_DATA_DIR}). */
@Component
public class DataDir {

    private final Path root;

    DataDir(DataDirProperties properties) {
        this.root = properties.dataDir().toAbsolutePath().normalize();
    }

    /** A sub-folder, created when missing. */
    public Path folder(String name) {
        try {
            return Files.createDirectories(root.resolve(name));
        }
        catch (IOException ex) {
            throw new UncheckedIOException("Cannot create " + root.resolve(name), ex);
        }
    }
}
