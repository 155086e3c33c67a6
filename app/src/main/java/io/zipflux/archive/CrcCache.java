package io.zipflux.archive;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import reactor.core.publisher.Mono;

import org.springframework.stereotype.Component;

/**
 * Remembers CRC-32s of files by path, size and modification time (bounded, least recently used
 * first out), so a range that needs the CRC of a file it does not send costs one read at most once.
 */
@Component
class CrcCache {

    private record Key(Path file, long size, long lastModifiedMillis) {
    }

    private final Map<Key, Long> crcs;

    private final FileIo fileIo;

    CrcCache(ArchiveProperties properties, FileIo fileIo) {
        int capacity = properties.crcCacheEntries();
        this.fileIo = fileIo;
        this.crcs = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<Key, Long> eldest) {
                return size() > capacity;
            }
        };
    }

    /** The entry's CRC, from the cache or computed by reading the file. */
    Mono<Long> crcOf(ArchiveEntry entry) {
        Long known = lookup(entry);
        if (known != null) {
            return Mono.just(known);
        }
        return fileIo.crc(entry.file(), entry.size())
                .doOnNext(crc -> remember(entry, crc));
    }

    void remember(ArchiveEntry entry, long crc) {
        synchronized (crcs) {
            crcs.put(key(entry), crc);
        }
    }

    private Long lookup(ArchiveEntry entry) {
        synchronized (crcs) {
            return crcs.get(key(entry));
        }
    }

    private static Key key(ArchiveEntry entry) {
        return new Key(entry.file(), entry.size(), entry.lastModifiedMillis());
    }
}
