package io.zipflux.system;

import java.time.Duration;
import java.util.Optional;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.core.codec.DecodingException;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferLimitException;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.HttpStatus;
import org.springframework.http.InvalidMediaTypeException;
import org.springframework.http.MediaType;
import org.springframework.http.codec.multipart.PartEvent;
import org.springframework.web.ErrorResponseException;
import org.springframework.web.reactive.function.BodyExtractors;
import org.springframework.web.reactive.function.server.ServerRequest;

/**
 * Request bodies as multipart part events, with what can be wrong with them said as a 400: a Content-Type that
 * does not parse, a multipart type without a boundary, part headers over the parser's limit, a body that ends
 * mid-part or before its first boundary (the framework says 500, or "Failed to read HTTP message").
 */
public final class MultipartBodies {

    /** The most of a refused body that is read before the answer. */
    private static final long DRAINED = 256 * 1024;

    /** The longest a refused body is waited for. */
    private static final Duration DRAIN_TIME = Duration.ofSeconds(2);

    private MultipartBodies() {
    }

    /** The request's Content-Type, empty when it has none; 400 when it does not parse. */
    public static Optional<MediaType> contentType(ServerRequest request) {
        String header = request.headers().firstHeader("Content-Type");
        if (header == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(MediaType.parseMediaType(header));
        }
        catch (InvalidMediaTypeException malformed) {
            throw new Malformed("the Content-Type '" + header + "' is malformed: "
                    + PublicErrors.clean(String.valueOf(malformed.getMessage())));
        }
    }

    /** 400 unless {@code type}, a multipart type, names a boundary. */
    public static void requireBoundary(MediaType type) {
        String boundary = type.getParameter("boundary");
        if (boundary == null || boundary.isBlank() || boundary.equals("\"\"")) {
            throw new Malformed("the Content-Type of a multipart/form-data body needs a boundary parameter "
                    + "(multipart/form-data; boundary=...)");
        }
    }

    /**
     * The part events of a {@code multipart/form-data} body; 400 (at once) when its Content-Type has no boundary,
     * and (as the error of the flux) when the body is malformed.
     */
    public static Flux<PartEvent> events(ServerRequest request) {
        requireBoundary(contentType(request).orElseThrow());
        return request.bodyToFlux(PartEvent.class)
                .onErrorMap(MultipartBodies::malformed, error -> new Malformed(reason(error)));
    }

    /**
     * {@code refused}, the answer to a request refused before its body was read, once up to {@value #DRAINED}
     * bytes of that body are read and dropped: a client that sent a small body whole then reads the answer, which
     * a connection closed on unread bytes (a TCP reset) would lose. A larger body is cut as before.
     */
    public static <T> Mono<T> refuse(ServerRequest request, ErrorResponseException refused) {
        return request.body(BodyExtractors.toDataBuffers())
                .map(MultipartBodies::dropped)
                .scan(0L, Long::sum)
                .takeUntil(read -> read >= DRAINED)
                .take(DRAIN_TIME)
                .onErrorResume(error -> Mono.empty())
                .then(Mono.error(refused));
    }

    private static long dropped(DataBuffer buffer) {
        long size = buffer.readableByteCount();
        DataBufferUtils.release(buffer);
        return size;
    }

    private static boolean malformed(Throwable error) {
        return causeOf(error, DataBufferLimitException.class) != null || causeOf(error, DecodingException.class) != null;
    }

    private static String reason(Throwable error) {
        Throwable cause = causeOf(error, DataBufferLimitException.class);
        if (cause == null) {
            cause = causeOf(error, DecodingException.class);
        }
        return "the multipart body is malformed: " + PublicErrors.clean(String.valueOf(cause.getMessage()));
    }

    private static Throwable causeOf(Throwable error, Class<? extends Throwable> type) {
        for (Throwable cause = error; cause != null; cause = cause.getCause()) {
            if (type.isInstance(cause)) {
                return cause;
            }
        }
        return null;
    }

    /** 400: the body or its Content-Type cannot be read as multipart; the detail says why. */
    public static final class Malformed extends ErrorResponseException {

        private final String detail;

        Malformed(String detail) {
            super(HttpStatus.BAD_REQUEST);
            this.detail = detail;
            getBody().setTitle("Malformed request body");
            getBody().setDetail(detail);
        }

        /** The text a client reads (a job's error). */
        @Override
        public String getMessage() {
            return detail;
        }
    }
}
