package io.zipflux.archive;

import java.nio.file.Path;

/**
 * One file of an archive.
 *
 * @param name path inside the archive, '/'-separated, relative to the hash folder
 * @param file where the bytes are read from
 * @param size length in bytes, taken when the folder was listed
 * @param lastModifiedMillis modification time, used as the entry time so output is repeatable
 */
public record ArchiveEntry(String name, Path file, long size, long lastModifiedMillis) {
}
