package io.zipflux.job.idempotency;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.UnaryOperator;

import org.reactivestreams.Publisher;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.http.server.reactive.ServerHttpRequestDecorator;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.http.server.reactive.ServerHttpResponseDecorator;
import org.springframework.web.server.ServerWebExchange;

/**
 * The run of the request that holds its key: its body is digested as the route reads it (nothing is
 * kept), and the answer the route writes is stored before it is sent, so a retry that arrives once the
 * client has it gets the same. Only answers the client should not simply retry are kept: not a problem
 * (the one error mapping writes those, past this exchange), not a 5xx, 408 or 429.
 */
final class FirstRequest {

    private static final Logger log = LoggerFactory.getLogger(FirstRequest.class);

    /** The headers an answer is replayed with (the others are written again by whoever writes them for every answer). */
    static final List<String> KEPT_HEADERS = List.of(HttpHeaders.CONTENT_TYPE, HttpHeaders.LOCATION);

    private final Reservation reservation;

    private final IdempotencyStore store;

    private final DigestedRequest request;

    private final ServerWebExchange exchange;

    private final AtomicBoolean settled = new AtomicBoolean();

    /** {@code guard} watches a body this class reads itself (the route's own reads are watched as they always are). */
    FirstRequest(ServerWebExchange exchange, Reservation reservation, IdempotencyStore store,
            UnaryOperator<Flux<DataBuffer>> guard) {
        this.reservation = reservation;
        this.store = store;
        this.request = new DigestedRequest(exchange.getRequest(), guard);
        this.exchange = exchange.mutate()
                .request(request)
                .response(new RecordingResponse(exchange.getResponse()))
                .build();
    }

    /** The exchange the route runs on. */
    ServerWebExchange exchange() {
        return exchange;
    }

    /** Frees the key unless an answer was stored: the route failed (an error the mapping answers) or wrote nothing. */
    Mono<Void> releaseUnlessAnswered() {
        return settled.compareAndSet(false, true) ? release() : Mono.empty();
    }

    private Mono<Void> release() {
        return store.release(reservation)
                .onErrorResume(error -> {
                    log.warn("Idempotency key of {} not released (it frees itself after {}): {}",
                            reservation.key().caller(), store.lease(), error.toString());
                    return Mono.empty();
                });
    }

    /** Keeps the answer (or frees the key for an answer not kept); a store that fails leaves the answer to be sent anyway. */
    private Mono<Void> settle(HttpStatusCode status, HttpHeaders headers, byte[] body) {
        if (!settled.compareAndSet(false, true)) {
            return Mono.empty();
        }
        if (!kept(status, headers.getContentType())) {
            return release();
        }
        Map<String, String> kept = new LinkedHashMap<>();
        KEPT_HEADERS.forEach(name -> {
            if (headers.getFirst(name) != null) {
                kept.put(name, headers.getFirst(name));
            }
        });
        return request.sha256()
                .flatMap(digest -> store.answer(reservation, digest, new StoredAnswer(status.value(), kept, body)))
                .onErrorResume(error -> {
                    log.warn("Answer of an Idempotency-Key of {} not stored (a retry after {} runs again): {}",
                            reservation.key().caller(), store.lease(), error.toString());
                    return Mono.empty();
                });
    }

    private static boolean kept(HttpStatusCode status, MediaType type) {
        boolean retryable = status.is5xxServerError() || status.value() == HttpStatus.TOO_MANY_REQUESTS.value()
                || status.value() == HttpStatus.REQUEST_TIMEOUT.value();
        return !retryable && (type == null || !MediaType.APPLICATION_PROBLEM_JSON.isCompatibleWith(type));
    }

    /** The request body, digested as it is read; one the route never read is read (and digested) before the answer. */
    private static final class DigestedRequest extends ServerHttpRequestDecorator {

        private final BodyDigest digest;

        private final AtomicBoolean read = new AtomicBoolean();

        private final UnaryOperator<Flux<DataBuffer>> guard;

        DigestedRequest(ServerHttpRequest request, UnaryOperator<Flux<DataBuffer>> guard) {
            super(request);
            this.guard = guard;
            this.digest = BodyDigest.of(request.getHeaders().getFirst(HttpHeaders.CONTENT_TYPE));
        }

        @Override
        public Flux<DataBuffer> getBody() {
            return super.getBody()
                    .doOnSubscribe(subscription -> read.set(true))
                    .doOnNext(digest::update);
        }

        /** The digest of the body: of the bytes the route read, or, if it read none, of the whole body. */
        Mono<byte[]> sha256() {
            Mono<Void> unread = read.get() ? Mono.empty() : guard.apply(getBody()).doOnNext(DataBufferUtils::release).then();
            return unread.then(Mono.fromCallable(digest::finish));
        }
    }

    /** Holds the route's answer back until it is stored. Answers of these routes are small JSON documents. */
    private final class RecordingResponse extends ServerHttpResponseDecorator {

        RecordingResponse(ServerHttpResponse response) {
            super(response);
        }

        @Override
        public Mono<Void> writeWith(Publisher<? extends DataBuffer> body) {
            return DataBufferUtils.join(body)
                    .map(RecordingResponse::bytes)
                    .defaultIfEmpty(new byte[0])
                    .flatMap(bytes -> settle(statusOrOk(), getHeaders(), bytes)
                            .then(Mono.defer(() -> super.writeWith(Mono.just(bufferFactory().wrap(bytes))))));
        }

        @Override
        public Mono<Void> writeAndFlushWith(Publisher<? extends Publisher<? extends DataBuffer>> body) {
            return writeWith(Flux.from(body).concatMap(Flux::from));
        }

        @Override
        public Mono<Void> setComplete() {
            return settle(statusOrOk(), getHeaders(), new byte[0]).then(Mono.defer(super::setComplete));
        }

        private HttpStatusCode statusOrOk() {
            return getStatusCode() == null ? HttpStatus.OK : getStatusCode();
        }

        private static byte[] bytes(DataBuffer joined) {
            byte[] bytes = new byte[joined.readableByteCount()];
            joined.read(bytes);
            DataBufferUtils.release(joined);
            return bytes;
        }
    }
}
