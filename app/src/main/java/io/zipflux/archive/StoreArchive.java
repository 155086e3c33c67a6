package io.zipflux.archive;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferFactory;
import org.springframework.stereotype.Component;

/**
 * Produces any byte range of a stored archive as it is read: headers from the layout, file bytes
 * read on demand with their CRC computed on the way, descriptors and the central directory once
 * the CRCs they hold are known. Bytes before the range are never produced; CRCs of files outside
 * it come from the {@link CrcCache}.
 */
@Component
class StoreArchive {

    private final FileIo fileIo;

    private final CrcCache crcCache;

    StoreArchive(FileIo fileIo, CrcCache crcCache) {
        this.fileIo = fileIo;
        this.crcCache = crcCache;
    }

    /** Bytes {@code first} to {@code last} (inclusive) of the archive. */
    Flux<DataBuffer> bytes(StoreLayout layout, long first, long last, DataBufferFactory buffers) {
        return Flux.defer(() -> {
            Crcs crcs = new Crcs(layout);
            return Flux.fromIterable(segments(layout, first, last))
                    .concatMap(segment -> segment.smallEntries().isEmpty()
                            ? slice(segment.part(), first, last, crcs, buffers)
                            : smallEntries(segment.smallEntries(), crcs, buffers), 0);
        });
    }

    /**
     * What to send, in order: the parts the range overlaps, except that runs of small entries lying
     * wholly inside it (header, data, descriptor; together at most a chunk, sized when the request
     * starts) go as one segment.
     */
    private List<Segment> segments(StoreLayout layout, long first, long last) {
        List<StoreLayout.Part> parts = layout.parts();
        int batchLimit = fileIo.chunkNow();
        List<Segment> segments = new ArrayList<>();
        List<Integer> batch = new ArrayList<>();
        long batchBytes = 0;
        for (int p = 0; p < parts.size(); p++) {
            StoreLayout.Part part = parts.get(p);
            if (part.end() <= first || part.offset() > last) {
                continue;
            }
            long entryBytes = part.kind() == StoreLayout.Kind.LOCAL_HEADER ? parts.get(p + 2).end() - part.offset() : -1;
            boolean small = entryBytes >= 0 && part.offset() >= first && parts.get(p + 2).end() - 1 <= last
                    && entryBytes <= batchLimit;
            if (!batch.isEmpty() && (!small || batchBytes + entryBytes > batchLimit)) {
                segments.add(new Segment(null, List.copyOf(batch)));
                batch.clear();
                batchBytes = 0;
            }
            if (small) {
                batch.add(part.entry());
                batchBytes += entryBytes;
                p += 2;
            }
            else {
                segments.add(new Segment(part, List.of()));
            }
        }
        if (!batch.isEmpty()) {
            segments.add(new Segment(null, List.copyOf(batch)));
        }
        return segments;
    }

    /** A part to slice, or consecutive small entries (by index) to send whole. */
    private record Segment(StoreLayout.Part part, List<Integer> smallEntries) {
    }

    private Flux<DataBuffer> smallEntries(List<Integer> indexes, Crcs crcs, DataBufferFactory buffers) {
        List<FileIo.Framed> framed = indexes.stream()
                .map(index -> new FileIo.Framed(crcs.layout.entry(index).file(), crcs.layout.entry(index).size(),
                        crcs.layout.localHeader(index), crc -> {
                            crcs.streamed(index, crc);
                            return crcs.layout.dataDescriptor(index, crc);
                        }))
                .toList();
        return fileIo.readFramed(framed, buffers).flux();
    }

    private Flux<DataBuffer> slice(StoreLayout.Part part, long first, long last, Crcs crcs,
            DataBufferFactory buffers) {
        long from = Math.max(first, part.offset()) - part.offset();
        long to = Math.min(last + 1, part.end()) - part.offset();
        return switch (part.kind()) {
            case LOCAL_HEADER -> Flux.just(wrap(crcs.layout.localHeader(part.entry()), from, to, buffers));
            case FILE_DATA -> fileData(part.entry(), from, to, crcs, buffers);
            case DATA_DESCRIPTOR -> crcs.of(part.entry())
                    .map(crc -> wrap(crcs.layout.dataDescriptor(part.entry(), crc), from, to, buffers))
                    .flux();
            case CENTRAL_DIRECTORY -> crcs.all()
                    .map(all -> wrap(crcs.layout.centralDirectory(all), from, to, buffers))
                    .flux();
        };
    }

    /** A whole file is checksummed as it streams; a partial one leaves its CRC to the cache. */
    private Flux<DataBuffer> fileData(int index, long from, long to, Crcs crcs, DataBufferFactory buffers) {
        ArchiveEntry entry = crcs.layout.entry(index);
        Flux<DataBuffer> data = fileIo.read(entry.file(), from, to - from, buffers);
        if (from > 0 || to < entry.size()) {
            return data;
        }
        CRC32 crc = new CRC32();
        return data
                .doOnNext(chunk -> FileIo.updateCrc(crc, chunk))
                .doOnComplete(() -> crcs.streamed(index, crc.getValue()));
    }

    private static DataBuffer wrap(byte[] bytes, long from, long to, DataBufferFactory buffers) {
        return buffers.wrap(ByteBuffer.wrap(bytes, (int) from, (int) (to - from)));
    }

    /** The CRCs one response has computed so far, falling back to the shared cache. */
    private final class Crcs {

        private final StoreLayout layout;

        private final long[] values;

        private final boolean[] known;

        Crcs(StoreLayout layout) {
            this.layout = layout;
            this.values = new long[layout.entries().size()];
            this.known = new boolean[values.length];
        }

        void streamed(int index, long crc) {
            values[index] = crc;
            known[index] = true;
            crcCache.remember(layout.entry(index), crc);
        }

        Mono<Long> of(int index) {
            ArchiveEntry entry = layout.entry(index);
            if (known[index] || entry.size() == 0) {
                return Mono.just(values[index]);
            }
            return crcCache.crcOf(entry)
                    .doOnNext(crc -> {
                        values[index] = crc;
                        known[index] = true;
                    });
        }

        Mono<long[]> all() {
            return Flux.range(0, values.length)
                    .concatMap(this::of)
                    .then(Mono.fromSupplier(() -> values));
        }
    }
}
