package io.zipflux.archive;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.OptionalLong;
import java.util.zip.CRC32;

import reactor.core.publisher.Mono;

import org.springframework.stereotype.Component;

/** Interim in-memory CRC cache (replaced by the persisted one). */
@Component
class CrcCache {

    private final Map<FileIdentity, Long> crcs;

    private final FileIo fileIo;

    CrcCache(ArchiveProperties properties, FileIo fileIo) {
        int capacity = properties.crcCacheEntries();
        this.fileIo = fileIo;
        this.crcs = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<FileIdentity, Long> eldest) {
                return size() > capacity;
            }
        };
    }

    OptionalLong known(FileIdentity id) {
        synchronized (crcs) {
            Long crc = crcs.get(id);
            return crc == null ? OptionalLong.empty() : OptionalLong.of(crc);
        }
    }

    void remember(FileIdentity id, long crc, long computedStartMillis) {
        synchronized (crcs) {
            crcs.put(id, crc);
        }
    }

    Mono<Long> compute(Path file, FileIdentity id) {
        return Mono.fromCallable(() -> {
                    long start = System.currentTimeMillis();
                    CRC32 crc = new CRC32();
                    ByteBuffer buffer = ByteBuffer.allocate(256 * 1024);
                    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
                        long position = 0;
                        while (position < id.size()) {
                            buffer.clear().limit((int) Math.min(buffer.capacity(), id.size() - position));
                            int read = channel.read(buffer, position);
                            if (read < 0) {
                                throw new IOException(file + " changed while it was being sent");
                            }
                            position += read;
                            crc.update(buffer.flip());
                        }
                    }
                    if (!id.sameFile(FileIdentity.of(Files.readAttributes(file, BasicFileAttributes.class)))) {
                        throw new IOException(file + " changed while it was being sent");
                    }
                    remember(id, crc.getValue(), start);
                    return crc.getValue();
                })
                .subscribeOn(fileIo.scheduler());
    }
}
