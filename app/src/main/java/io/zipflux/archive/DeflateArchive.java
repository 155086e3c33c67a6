package io.zipflux.archive;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32;
import java.util.zip.Deflater;

import net.lingala.zip4j.model.FileHeader;
import net.lingala.zip4j.model.enums.CompressionMethod;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferFactory;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.stereotype.Component;

/**
 * Produces a deflated archive as it is read. Each chunk is compressed when it arrives, on the file
 * pool, so a slow client holds buffers, not a thread; sizes are only known at the end, so there is
 * no Content-Length and no range support.
 */
@Component
class DeflateArchive {

    private final FileIo fileIo;

    DeflateArchive(FileIo fileIo) {
        this.fileIo = fileIo;
    }

    Flux<DataBuffer> bytes(List<ArchiveEntry> entries, DataBufferFactory buffers) {
        return Flux.defer(() -> {
            Written written = new Written();
            return Flux.fromIterable(entries)
                    .concatMap(entry -> entry(entry, written, buffers), 0)
                    .concatWith(Mono.fromSupplier(() ->
                            buffers.wrap(ZipHeaders.centralDirectory(written.headers, written.offset))));
        });
    }

    private Flux<DataBuffer> entry(ArchiveEntry entry, Written written, DataBufferFactory buffers) {
        FileHeader header = ZipHeaders.entryHeader(entry, CompressionMethod.DEFLATE, written.offset);
        byte[] localHeader = ZipHeaders.localHeader(header);
        return Flux.using(
                () -> new EntryDeflater(buffers, fileIo.chunkBytes()),
                deflater -> Flux.just(buffers.wrap(localHeader))
                        .concatWith(fileIo.read(entry.file(), 0, entry.size(), buffers)
                                .map(deflater::deflate))
                        .concatWith(Mono.fromSupplier(deflater::finish))
                        .concatWith(Mono.fromSupplier(() -> {
                            header.setCrc(deflater.crc.getValue());
                            header.setCompressedSize(deflater.compressed);
                            byte[] descriptor = ZipHeaders.dataDescriptor(header, header.getCrc(), deflater.compressed);
                            written.add(header, localHeader.length + deflater.compressed + descriptor.length);
                            return buffers.wrap(descriptor);
                        }))
                        .filter(chunk -> chunk.readableByteCount() > 0 || release(chunk)),
                EntryDeflater::end);
    }

    private static boolean release(DataBuffer chunk) {
        DataBufferUtils.release(chunk);
        return false;
    }

    /** Offsets and central-directory headers of the entries written so far. */
    private static final class Written {

        private final List<FileHeader> headers = new ArrayList<>();

        private long offset;

        void add(FileHeader header, long length) {
            headers.add(header);
            offset += length;
        }
    }

    /** One entry's deflater, CRC and compressed byte count. */
    private static final class EntryDeflater {

        private final Deflater deflater = new Deflater(Deflater.DEFAULT_COMPRESSION, true);

        private final CRC32 crc = new CRC32();

        private final DataBufferFactory buffers;

        private final byte[] output;

        private long compressed;

        EntryDeflater(DataBufferFactory buffers, int chunkBytes) {
            this.buffers = buffers;
            this.output = new byte[chunkBytes];
        }

        DataBuffer deflate(DataBuffer chunk) {
            try (DataBuffer.ByteBufferIterator inputs = chunk.readableByteBuffers()) {
                DataBuffer out = buffers.allocateBuffer(chunk.readableByteCount() / 2 + 64);
                while (inputs.hasNext()) {
                    ByteBuffer input = inputs.next();
                    crc.update(input.duplicate());
                    deflater.setInput(input);
                    drain(out, false);
                }
                return out;
            }
            finally {
                DataBufferUtils.release(chunk);
            }
        }

        DataBuffer finish() {
            deflater.finish();
            DataBuffer out = buffers.allocateBuffer(256);
            drain(out, true);
            return out;
        }

        private void drain(DataBuffer out, boolean finishing) {
            while (finishing ? !deflater.finished() : !deflater.needsInput()) {
                int length = deflater.deflate(output);
                out.ensureWritable(length);
                out.write(output, 0, length);
                compressed += length;
            }
        }

        void end() {
            deflater.end();
        }
    }
}
