package io.zipflux.job.idempotency;

import java.time.Duration;
import java.util.Arrays;
import java.util.Optional;
import java.util.Set;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;

import io.zipflux.job.JobService;
import io.zipflux.security.Callers;
import io.zipflux.system.ClientStalledException;
import io.zipflux.system.StallClock;
import io.zipflux.system.UploadProperties;

/**
 * {@code Idempotency-Key} on the requests that create jobs: the first request with a key (per caller) runs
 * and its answer is kept for {@code zipflux.jobs.idempotency.window}; a repeat with the same method, path,
 * query and body gets that answer again, byte for byte (and {@code Idempotent-Replayed: true}), and no new
 * job; a different request with the key gets 422; one that comes while the first still runs gets 409 with
 * {@code Retry-After} (it is not made to wait). Without the header nothing changes.
 */
@Component
@Order(Ordered.LOWEST_PRECEDENCE)
class IdempotencyFilter implements WebFilter {

    /** The paths whose POST creates a job. */
    static final Set<String> JOB_CREATING = Set.of("/api/v1/files", "/api/v1/exports", "/api/v1/imports", "/api/v1/archives");

    static final String REPLAYED = "Idempotent-Replayed";

    /** Attempts at a key that vanishes between a failed reservation and its lookup (released or expired meanwhile). */
    private static final int CLAIMS = 3;

    private final IdempotencyStore store;

    private final Callers callers;

    private final JobService jobs;

    private final Duration stallTimeout;

    IdempotencyFilter(IdempotencyStore store, Callers callers, JobService jobs, UploadProperties uploads) {
        this.store = store;
        this.callers = callers;
        this.jobs = jobs;
        this.stallTimeout = uploads.stallTimeout();
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
        ServerHttpRequest request = exchange.getRequest();
        if (request.getMethod() != HttpMethod.POST || !JOB_CREATING.contains(request.getPath().value())) {
            return chain.filter(exchange);
        }
        String key = IdempotencyKey.parse(request.getHeaders().get(IdempotencyKey.HEADER));
        if (key == null) {
            return chain.filter(exchange);
        }
        return callers.of(exchange)
                .flatMap(caller -> claim(new IdempotencyKey(caller.name(), key), exchange, chain, CLAIMS));
    }

    /** Reserves the key and runs the request, or answers as its first request tells. */
    private Mono<Void> claim(IdempotencyKey key, ServerWebExchange exchange, WebFilterChain chain, int attempts) {
        Reservation reservation = Reservation.of(key);
        String request = requestLine(exchange.getRequest());
        return jobs.available(store.reserve(reservation, request))
                .flatMap(reserved -> reserved
                        ? detached(first(reservation, exchange, chain))
                        : taken(key, request, exchange, chain, attempts));
    }

    /** The key is another request's: answer as that one tells; if it was freed meanwhile, claim it again. */
    private Mono<Void> taken(IdempotencyKey key, String request, ServerWebExchange exchange, WebFilterChain chain,
            int attempts) {
        return jobs.available(store.find(key))
                .map(Optional::of)
                .defaultIfEmpty(Optional.empty())
                .flatMap(prior -> prior.map(found -> repeat(found, request, exchange))
                        .orElseGet(() -> attempts > 1
                                ? claim(key, exchange, chain, attempts - 1)
                                : Mono.error(new IdempotencyProblems.InProgress())));
    }

    /** The route on a recording exchange, the reservation renewed while it runs. */
    private Mono<Void> first(Reservation reservation, ServerWebExchange exchange, WebFilterChain chain) {
        FirstRequest first = new FirstRequest(exchange, reservation, store, this::watched);
        Mono<Void> run = chain.filter(first.exchange())
                .then(Mono.defer(first::releaseUnlessAnswered))
                .onErrorResume(error -> first.releaseUnlessAnswered().then(Mono.error(error)));
        return Mono.firstWithSignal(run, renewals(reservation));
    }

    /** Renews the reservation every third of its lease, for as long as it is subscribed; never completes. */
    private Mono<Void> renewals(Reservation reservation) {
        return Flux.interval(store.lease().dividedBy(3))
                .onBackpressureDrop()
                .concatMap(tick -> store.renew(reservation).onErrorResume(error -> Mono.empty()), 1)
                .then();
    }

    /** 422 for another request; 409 while the first runs; else the body is read and digested: 422 or the first answer. */
    private Mono<Void> repeat(PriorRequest prior, String request, ServerWebExchange exchange) {
        if (!prior.request().equals(request)) {
            return Mono.error(new IdempotencyProblems.Mismatch(samePath(prior.request(), request) ? "query" : "path"));
        }
        if (prior.running()) {
            return Mono.error(new IdempotencyProblems.InProgress());
        }
        return sha256(exchange.getRequest())
                .flatMap(digest -> Arrays.equals(digest, prior.bodySha256())
                        ? replay(prior.answer(), exchange.getResponse())
                        : Mono.error(new IdempotencyProblems.Mismatch("body")));
    }

    /** The whole body, digested as the first one was and dropped as it comes. */
    private Mono<byte[]> sha256(ServerHttpRequest request) {
        BodyDigest digest = BodyDigest.of(request.getHeaders().getFirst(HttpHeaders.CONTENT_TYPE));
        return watched(request.getBody())
                .doOnNext(digest::update)
                .doOnNext(DataBufferUtils::release)
                .then(Mono.fromCallable(digest::finish));
    }

    /**
     * A body this filter reads itself, under {@code zipflux.upload.stall-timeout} like every body (whether
     * the filter that watches every body runs before or after this one depends on the order beans are found).
     */
    private Flux<DataBuffer> watched(Flux<DataBuffer> body) {
        return StallClock.inbound(body, stallTimeout, () -> new ClientStalledException("sending", stallTimeout));
    }

    private static Mono<Void> replay(StoredAnswer answer, ServerHttpResponse response) {
        response.setStatusCode(HttpStatusCode.valueOf(answer.status()));
        answer.headers().forEach(response.getHeaders()::set);
        response.getHeaders().set(REPLAYED, "true");
        response.getHeaders().setContentLength(answer.body().length);
        return response.writeWith(Mono.fromSupplier(() -> response.bufferFactory().wrap(answer.body())));
    }

    /**
     * Runs {@code run} to its end even when the client goes away meanwhile (a timeout, the usual reason to
     * retry): a job it creates gets its answer stored, and the retry finds it instead of making another.
     */
    private static Mono<Void> detached(Mono<Void> run) {
        return Mono.deferContextual(context -> {
            Sinks.Empty<Void> ended = Sinks.empty();
            run.contextWrite(context).subscribe(null, ended::tryEmitError, ended::tryEmitEmpty);
            return ended.asMono();
        });
    }

    private static String requestLine(ServerHttpRequest request) {
        String query = request.getURI().getRawQuery();
        return request.getMethod().name() + " " + request.getPath().value() + (query == null ? "" : "?" + query);
    }

    private static boolean samePath(String first, String other) {
        return first.split("\\?", 2)[0].equals(other.split("\\?", 2)[0]);
    }
}
