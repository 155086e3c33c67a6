package io.zipflux.archive;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.stream.IntStream;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferFactory;
import org.springframework.http.ContentDisposition;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.stereotype.Component;
import org.springframework.web.ErrorResponseException;
import org.springframework.web.reactive.function.BodyInserters;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;

/**
 * The one zip engine's HTTP face: answers a GET or HEAD with a zip of the given entries, in the
 * compression the request picks (store: exact length, Range, If-Range, ETag), streamed and counted;
 * stored file data goes with {@code sendfile} where the connection allows it.
 */
@Component
public class ZipDownloads {

    static final MediaType APPLICATION_ZIP = MediaType.parseMediaType("application/zip");

    private final StoreArchive storeArchive;

    private final DeflateArchive deflateArchive;

    private final ArchiveMetrics metrics;

    private final StreamAdmission admission;

    private final Compression defaultCompression;

    private final Duration delay;

    private final boolean zeroCopy;

    ZipDownloads(StoreArchive storeArchive, DeflateArchive deflateArchive, ArchiveMetrics metrics,
            StreamAdmission admission, ArchiveProperties properties) {
        this.storeArchive = storeArchive;
        this.deflateArchive = deflateArchive;
        this.metrics = metrics;
        this.admission = admission;
        this.defaultCompression = properties.compression();
        this.delay = properties.effectiveDelay();
        // A response delay throttles per chunk, which needs the chunks in the JVM.
        this.zeroCopy = properties.zeroCopy() && delay.isZero();
    }

    /**
     * The zip of {@code entries} as {@code fileName}; a HEAD request gets the same headers and nothing is packed.
     * While the streams hold the memory they may, a download is refused (503) once its length is known, unless
     * it is small.
     */
    public Mono<ServerResponse> serve(ServerRequest request, String fileName, Mono<List<ArchiveEntry>> entries) {
        return serveLayout(request, fileName, entries
                .map(list -> ServedLayout.unwatched(StoreLayout.of(FolderListing.of(list)))));
    }

    /** The same for a layout the caller has (a photo folder's, cached). */
    Mono<ServerResponse> serveLayout(ServerRequest request, String fileName, Mono<ServedLayout> layout) {
        long start = System.nanoTime();
        boolean withBody = !HttpMethod.HEAD.equals(request.method());
        Compression compression = request.queryParam("compression")
                .map(Compression::parse)
                .orElse(defaultCompression);
        return layout
                .flatMap(served -> compression == Compression.STORE
                        ? stored(request, fileName, served, withBody, start)
                        : deflated(request, fileName, served.layout().listing(), withBody, start));
    }

    private Mono<ServerResponse> stored(ServerRequest request, String fileName, ServedLayout served,
            boolean withBody, long start) {
        StoreLayout layout = served.layout();
        RangeSelection range = RangeSelection.select(request.headers().asHttpHeaders(), layout.length(),
                layout.etag(), layout.lastModified());
        if (!range.satisfiable()) {
            return ServerResponse.status(HttpStatus.REQUESTED_RANGE_NOT_SATISFIABLE)
                    .header(HttpHeaders.CONTENT_RANGE, "bytes */" + layout.length())
                    .build();
        }
        ServerResponse.BodyBuilder response = ServerResponse.status(range.partial() ? HttpStatus.PARTIAL_CONTENT : HttpStatus.OK)
                .headers(headers -> zipHeaders(headers, fileName))
                .header(HttpHeaders.ACCEPT_RANGES, "bytes")
                .eTag(layout.etag())
                .lastModified(layout.lastModified())
                .contentLength(range.length());
        if (range.partial()) {
            response.header(HttpHeaders.CONTENT_RANGE,
                    "bytes " + range.first() + "-" + range.last() + "/" + layout.length());
        }
        if (!withBody) {
            return response.build();
        }
        Optional<ErrorResponseException> refusal = admission.refusal(range.length());
        if (refusal.isPresent()) {
            return Mono.error(refusal.get());
        }
        Optional<ZeroCopyResponse> zeroCopy = this.zeroCopy
                ? ZeroCopyResponse.of(request.exchange().getResponse())
                : Optional.empty();
        if (zeroCopy.isPresent()) {
            Flux<Object> body = metrics.track(storeArchive.zeroCopy(served, range.first(), range.last()),
                    ArchiveMetrics::objectBytes, start, range.length());
            return response.body((output, context) -> zeroCopy.get().write(body));
        }
        return response.body(BodyInserters.fromDataBuffers(stream(request, start, range.length(),
                buffers -> storeArchive.copied(served, range.first(), range.last(), buffers))));
    }

    private Mono<ServerResponse> deflated(ServerRequest request, String fileName, FolderListing listing,
            boolean withBody, long start) {
        ServerResponse.BodyBuilder response = ServerResponse.ok()
                .headers(headers -> zipHeaders(headers, fileName))
                .header(HttpHeaders.ACCEPT_RANGES, "none");
        if (!withBody) {
            return response.build();
        }
        Optional<ErrorResponseException> refusal = admission.refusal(-1);
        if (refusal.isPresent()) {
            return Mono.error(refusal.get());
        }
        List<ArchiveEntry> entries = IntStream.range(0, listing.count())
                .mapToObj(listing::entry)
                .toList();
        return response.body(BodyInserters.fromDataBuffers(stream(request, start, -1,
                buffers -> deflateArchive.bytes(entries, buffers))));
    }

    private interface ArchiveBytes {
        Flux<DataBuffer> from(DataBufferFactory buffers);
    }

    /** The archive body ({@code length} bytes, -1: unknown): allocated by the response's own buffer factory, throttled if configured, counted. */
    private Flux<DataBuffer> stream(ServerRequest request, long start, long length, ArchiveBytes bytes) {
        DataBufferFactory buffers = request.exchange().getResponse().bufferFactory();
        Flux<DataBuffer> body = bytes.from(buffers);
        if (!delay.isZero()) {
            body = body.delayElements(delay);
        }
        return metrics.track(body, DataBuffer::readableByteCount, start, length);
    }

    private static void zipHeaders(HttpHeaders headers, String fileName) {
        headers.setContentType(APPLICATION_ZIP);
        headers.setContentDisposition(ContentDisposition.attachment().filename(fileName).build());
    }
}
