package io.zipflux.archive;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.StandardOpenOption;
import java.util.OptionalLong;
import java.util.zip.CRC32;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.util.ReferenceCounted;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.SignalType;

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

    /**
     * Batches of small files read ahead of the one being sent: reading them takes a hop to the file pool,
     * and without lookahead the socket would idle for it between batches. A larger file is opened only when
     * the network asks for it, so that a stalled stream holds one file open, not more.
     */
    private static final int LOOKAHEAD = 2;

    /** Bytes {@code first} to {@code last} (inclusive) as Netty buffers and file regions, for {@link ZeroCopyResponse}. */
    Flux<Object> zeroCopy(ServedLayout served, long first, long last) {
        StoreLayout layout = served.layout();
        return Flux.defer(() -> {
            ZeroCopyResponse.OpenFiles open = new ZeroCopyResponse.OpenFiles();
            return checkedPieces(served, first, last)
                    .flatMapSequential(piece -> piece instanceof Piece.SmallEntries small
                            ? copiedEntries(layout, small)
                            : Mono.just(piece), LOOKAHEAD, 1)
                    .concatMap(piece -> {
                        if (piece instanceof Piece.Bytes bytes) {
                            return Mono.just(ZeroCopyResponse.bytes(bytes.bytes(), bytes.from(), bytes.to()));
                        }
                        return piece instanceof Piece.FileData data ? region(layout, data, open) : Mono.just(piece);
                    }, 0)
                    .doOnDiscard(ReferenceCounted.class, StoreArchive::release)
                    .doFinally(signal -> {
                        if (signal != SignalType.ON_COMPLETE) {
                            open.closeAll();
                        }
                    });
        });
    }

    /** The same bytes copied into buffers of {@code buffers}, for connections that need them in the JVM (TLS). */
    Flux<DataBuffer> copied(ServedLayout served, long first, long last, DataBufferFactory buffers) {
        StoreLayout layout = served.layout();
        return checkedPieces(served, first, last)
                .concatMap(piece -> piece instanceof Piece.SmallEntries small
                        ? Flux.range(small.from(), small.to() - small.from())
                                .concatMap(entry -> entryPieces(layout, entry, first, last), 0)
                        : Mono.just(piece), 0)
                .concatMap(piece -> piece instanceof Piece.Bytes bytes
                        ? Mono.just(buffers.wrap(ByteBuffer.wrap(bytes.bytes(), bytes.from(), bytes.to() - bytes.from())))
                        : read(layout, (Piece.FileData) piece, buffers), 0);
    }

    private Flux<DataBuffer> read(StoreLayout layout, Piece.FileData data, DataBufferFactory buffers) {
        return fileIo.read(layout.listing().file(data.entry()), data.position(), data.count(), buffers);
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
        Flux<Piece> entries = batches(layout, from, to, first, last)
                .concatMap(batch -> batch.to() - batch.from() > 1
                        ? Mono.just(batch)
                        : entryPieces(layout, batch.from(), first, last), 0);
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
        long next = layout.entryEnd(entry);
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

    /**
     * Entries {@code from} to {@code to} in runs: consecutive small entries wholly inside the range go
     * together (at most {@link #BATCH_FILES} files, {@link #BATCH_BYTES} bytes), so that their files are
     * opened and their CRCs found in one file-pool task; any other entry is a run of its own.
     */
    private Flux<Piece.SmallEntries> batches(StoreLayout layout, int from, int to, long first, long last) {
        return Flux.generate(() -> from, (next, sink) -> {
            // Copied bytes wait in direct memory for the socket: batches shrink as a crowd fills it.
            long limit = Math.min(BATCH_BYTES, 4L * fileIo.chunkNow());
            if (next >= to) {
                sink.complete();
                return next;
            }
            int end = next + 1;
            if (small(layout, next, first, last)) {
                long bytes = layout.listing().size(next);
                while (end < to && end - next < BATCH_FILES && small(layout, end, first, last)
                        && bytes + layout.listing().size(end) <= limit) {
                    bytes += layout.listing().size(end);
                    end++;
                }
            }
            sink.next(new Piece.SmallEntries(next, end, layout.entryEnd(end - 1)));
            return end;
        });
    }

    private static boolean small(StoreLayout layout, int entry, long first, long last) {
        return layout.listing().size(entry) <= COPY_BELOW && layout.headerOffset(entry) >= first
                && layout.entryEnd(entry) - 1 <= last;
    }

    /** Files of a batch of small entries per file-pool task, and their bytes at most. */
    private static final int BATCH_FILES = 16;

    private static final long BATCH_BYTES = 1 << 20;

    /**
     * A batch of whole small entries in one buffer, read in one file-pool task: headers, the files' bytes
     * and descriptors (the CRCs computed from the bytes read). A {@code sendfile} per file of a few KiB
     * costs more than the copy it saves (case B of the archive benchmark: 2,000 files of 50 KiB).
     */
    private Mono<ByteBuf> copiedEntries(StoreLayout layout, Piece.SmallEntries small) {
        return Mono.fromCallable(() -> {
                    ByteBuf batch = ByteBufAllocator.DEFAULT.directBuffer(4096);
                    try {
                        FolderListing listing = layout.listing();
                        for (int entry = small.from(); entry < small.to(); entry++) {
                            batch.writeBytes(layout.localHeader(entry));
                            long crc = copy(listing, entry, batch);
                            layout.learnedCrc(entry, crc);
                            batch.writeBytes(layout.dataDescriptor(entry, crc));
                        }
                        return batch;
                    }
                    catch (IOException | RuntimeException ex) {
                        batch.release();
                        throw ex;
                    }
                })
                .subscribeOn(fileIo.scheduler());
    }

    /** Files up to this size are copied into their batch's buffer rather than sent with their own {@code sendfile}. */
    private static final long COPY_BELOW = 64 * 1024;

    /** Appends the whole file of {@code entry} to {@code buffer}; answers the CRC-32 of the bytes appended. */
    private static long copy(FolderListing listing, int entry, ByteBuf buffer) throws IOException {
        int size = (int) listing.size(entry);
        int start = buffer.writerIndex();
        buffer.ensureWritable(size);
        try (FileChannel file = FileChannel.open(listing.file(entry), StandardOpenOption.READ)) {
            for (int copied = 0; copied < size; ) {
                int read = buffer.writeBytes(file, copied, size - copied);
                if (read < 0) {
                    throw new IOException(listing.file(entry) + " changed while it was being sent");
                }
                copied += read;
            }
        }
        CRC32 crc = new CRC32();
        crc.update(buffer.nioBuffer(start, size));
        return crc.getValue();
    }

    /** The file's bytes as a region, its file opened on the file pool. */
    private Mono<Object> region(StoreLayout layout, Piece.FileData data, ZeroCopyResponse.OpenFiles open) {
        FolderListing listing = layout.listing();
        return Mono.<Object>fromCallable(() -> openRegion(listing, data.entry(), data.position(), data.count(), open))
                .subscribeOn(fileIo.scheduler());
    }

    /**
     * A region of an entry's file. Its size is not checked here (one system call per file saved): a file
     * shorter than listed fails the transfer (Netty checks), and any change fails {@link SentFiles}' check.
     */
    private static ZeroCopyResponse.Region openRegion(FolderListing listing, int entry, long position, long count,
            ZeroCopyResponse.OpenFiles open) throws IOException {
        return open.region(FileChannel.open(listing.file(entry), StandardOpenOption.READ), position, count);
    }

    /** A run of archive bytes ending at archive offset {@code end}: bytes in hand, or a part of an entry's file. */
    sealed interface Piece {

        long end();

        /** Whole small entries {@code from} to {@code to} (exclusive), sent as one batch. */
        record SmallEntries(int from, int to, long end) implements Piece {
        }

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
