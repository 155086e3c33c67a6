package io.zipflux.archive;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.StandardOpenOption;
import java.util.OptionalLong;

import io.netty.util.ReferenceCounted;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferFactory;
import org.springframework.stereotype.Component;

/**
 * Produces any byte range of a stored archive as it is sent: headers from the layout, file data as
 * regions of the files (sent with {@code sendfile}, or read and copied where the connection needs the
 * bytes), descriptors and the central directory once the CRCs they hold are known. CRCs come from the
 * layout (learned by an earlier request), the {@link CrcCache}, or a read of the page cache beside the
 * transfer. Bytes before the range are never produced. Before the range's last byte goes out, the files
 * sent are proved unchanged since the listing ({@link SentFiles}), so a file changed mid-stream cuts the
 * response instead of completing a wrong archive.
 */
@Component
class StoreArchive {

    private final FileIo fileIo;

    private final CrcCache crcCache;

    private final SentFiles sentFiles;

    StoreArchive(FileIo fileIo, CrcCache crcCache, SentFiles sentFiles) {
        this.fileIo = fileIo;
        this.crcCache = crcCache;
        this.sentFiles = sentFiles;
    }

    /** Bytes {@code first} to {@code last} (inclusive) as Netty buffers and file regions, for {@link ZeroCopyResponse}. */
    Flux<Object> zeroCopy(ServedLayout served, long first, long last) {
        return checkedPieces(served, first, last)
                .concatMap(piece -> piece instanceof Piece.Bytes bytes
                        ? Mono.just(ZeroCopyResponse.bytes(bytes.bytes(), bytes.from(), bytes.to()))
                        : region(served.layout(), (Piece.FileData) piece), 0)
                .doOnDiscard(ReferenceCounted.class, StoreArchive::release);
    }

    /** The same bytes copied into buffers of {@code buffers}, for connections that need them in the JVM (TLS). */
    Flux<DataBuffer> copied(ServedLayout served, long first, long last, DataBufferFactory buffers) {
        return checkedPieces(served, first, last)
                .concatMap(piece -> piece instanceof Piece.Bytes bytes
                        ? Mono.just(buffers.wrap(ByteBuffer.wrap(bytes.bytes(), bytes.from(), bytes.to() - bytes.from())))
                        : fileIo.read(served.layout().listing().file(((Piece.FileData) piece).entry()),
                                ((Piece.FileData) piece).position(), ((Piece.FileData) piece).count(), buffers), 0);
    }

    private static void release(ReferenceCounted object) {
        if (object.refCnt() > 0) {
            object.release();
        }
    }

    /** The pieces of the range, the last one held back until the files sent are proved unchanged. */
    private Flux<Piece> checkedPieces(ServedLayout served, long first, long last) {
        StoreLayout layout = served.layout();
        return pieces(layout, first, last)
                .concatMap(piece -> piece.end() == last + 1
                        ? sentFiles.unchanged(served, entriesFrom(layout, first), entriesTo(layout, last)).thenReturn(piece)
                        : Mono.just(piece), 0);
    }

    private static int entriesFrom(StoreLayout layout, long first) {
        return first < layout.centralOffset() ? layout.entryAt(first) : layout.count();
    }

    private static int entriesTo(StoreLayout layout, long last) {
        return last < layout.centralOffset() ? layout.entryAt(last) + 1 : layout.count();
    }

    private Flux<Piece> pieces(StoreLayout layout, long first, long last) {
        int from = entriesFrom(layout, first);
        int to = entriesTo(layout, last);
        Flux<Piece> entries = Flux.range(from, to - from)
                .concatMap(entry -> entryPieces(layout, entry, first, last), 0);
        Flux<Piece> central = last >= layout.centralOffset() ? centralPieces(layout, first, last) : Flux.empty();
        Flux<Piece> end = last >= layout.endOffset()
                ? Flux.just(Piece.slice(layout.endRecords(), layout.endOffset(), first, last))
                : Flux.empty();
        return entries.concatWith(central).concatWith(end);
    }

    /** Header, data and descriptor of one entry, as far as the range covers them. */
    private Flux<Piece> entryPieces(StoreLayout layout, int entry, long first, long last) {
        long header = layout.headerOffset(entry);
        long data = layout.dataOffset(entry);
        long descriptor = layout.descriptorOffset(entry);
        long next = descriptor + ZipHeaders.dataDescriptorLength(layout.listing().size(entry));
        Flux<Piece> pieces = Flux.empty();
        if (overlaps(header, data, first, last)) {
            pieces = pieces.concatWith(Mono.fromSupplier(() ->
                    Piece.slice(layout.localHeader(entry), header, first, last)));
        }
        if (descriptor > data && overlaps(data, descriptor, first, last)) {
            long start = Math.max(first, data);
            long end = Math.min(last + 1, descriptor);
            pieces = pieces.concatWith(Mono.just(new Piece.FileData(entry, start - data, end - start, end)));
        }
        if (overlaps(descriptor, next, first, last)) {
            pieces = pieces.concatWith(crc(layout, entry)
                    .map(crc -> Piece.slice(layout.dataDescriptor(entry, crc), descriptor, first, last)));
        }
        return pieces;
    }

    /** The central directory a batch at a time: records are made when sent, never all held. */
    private Flux<Piece> centralPieces(StoreLayout layout, long first, long last) {
        int batches = (layout.count() + StoreLayout.CENTRAL_BATCH - 1) / StoreLayout.CENTRAL_BATCH;
        return Flux.defer(() -> {
            long[] start = {layout.centralOffset()};
            return Flux.range(0, batches)
                    .concatMap(batch -> {
                        int from = batch * StoreLayout.CENTRAL_BATCH;
                        int to = Math.min(layout.count(), from + StoreLayout.CENTRAL_BATCH);
                        long offset = start[0];
                        start[0] += layout.centralRecordsLength(from, to);
                        if (!overlaps(offset, start[0], first, last)) {
                            return Mono.empty();
                        }
                        return crcs(layout, from, to)
                                .map(crcs -> Piece.slice(layout.centralRecords(from, to, crcs), offset, first, last));
                    }, 0);
        });
    }

    private static boolean overlaps(long start, long end, long first, long last) {
        return start < end && start <= last && end > first;
    }

    private Mono<long[]> crcs(StoreLayout layout, int from, int to) {
        long[] values = new long[to - from];
        return Flux.range(from, to - from)
                .concatMap(entry -> crc(layout, entry)
                        .doOnNext(crc -> values[entry - from] = crc), 0)
                .then(Mono.fromSupplier(() -> values));
    }

    /** The entry's CRC: learned by this layout, cached, or read from the file (and then learned). */
    private Mono<Long> crc(StoreLayout layout, int entry) {
        long known = layout.knownCrc(entry);
        if (known >= 0) {
            return Mono.just(known);
        }
        FolderListing listing = layout.listing();
        if (listing.size(entry) == 0) {
            return Mono.just(0L);
        }
        FileIdentity identity = listing.identity(entry);
        OptionalLong cached = crcCache.known(identity);
        Mono<Long> crc = cached.isPresent()
                ? Mono.just(cached.getAsLong())
                : crcCache.compute(listing.file(entry), identity);
        return crc.doOnNext(value -> layout.learnedCrc(entry, value));
    }

    /** The file's bytes as a region, its file opened on the file pool and checked against the listing. */
    private Mono<Object> region(StoreLayout layout, Piece.FileData data) {
        FolderListing listing = layout.listing();
        return Mono.<Object>fromCallable(() -> {
                    FileChannel channel = FileChannel.open(listing.file(data.entry()), StandardOpenOption.READ);
                    try {
                        if (channel.size() != listing.size(data.entry())) {
                            throw new IOException(listing.file(data.entry()) + " changed while it was being sent");
                        }
                        return new ZeroCopyResponse.Region(channel, data.position(), data.count());
                    }
                    catch (IOException | RuntimeException ex) {
                        channel.close();
                        throw ex;
                    }
                })
                .subscribeOn(fileIo.scheduler());
    }

    /** A run of archive bytes ending at archive offset {@code end}: bytes in hand, or a part of an entry's file. */
    sealed interface Piece {

        long end();

        record Bytes(byte[] bytes, int from, int to, long end) implements Piece {
        }

        record FileData(int entry, long position, long count, long end) implements Piece {
        }

        /** The part of {@code bytes}, which start at archive offset {@code start}, inside the range. */
        static Bytes slice(byte[] bytes, long start, long first, long last) {
            int from = (int) (Math.max(first, start) - start);
            int to = (int) (Math.min(last + 1, start + bytes.length) - start);
            return new Bytes(bytes, from, to, start + to);
        }
    }
}
