package io.zipflux.job.urlarchive;

import java.time.Duration;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import reactor.core.publisher.Mono;
import reactor.netty.ByteBufFlux;
import reactor.netty.Connection;
import reactor.netty.NettyPipeline;
import reactor.netty.http.client.HttpClient;
import reactor.netty.http.client.HttpClientResponse;
import reactor.util.retry.Retry;

import org.springframework.stereotype.Component;

import io.zipflux.job.urlarchive.FetchErrors.EntryFailed;
import io.zipflux.job.urlarchive.FetchErrors.Transient;
import io.zipflux.job.urlarchive.UrlArchiveFiles.OnDisk;
import io.zipflux.job.urlarchive.UrlArchiveFiles.Sidecar;
import io.zipflux.outbound.OutboundHttp;
import io.zipflux.outbound.OutboundRefusedException;

/**
 * Fetches one entry to its file (the body written by {@link BodyWriter} as it arrives), resumes a
 * broken body with {@code Range} + {@code If-Range} from the bytes on disk, starts over when the
 * origin ignores the range or its validator changed, and retries what may succeed later with
 * exponential backoff and jitter, honouring {@code Retry-After}.
 */
@Component
class Transfers {

    private final HttpClient client;

    private final UrlArchiveFiles files;

    private final BodyWriter writer;

    private final FetchProperties properties;

    Transfers(OutboundHttp outbound, UrlArchiveFiles files, BodyWriter writer, FetchProperties properties) {
        this.client = outbound.client().responseTimeout(properties.responseTimeout());
        this.files = files;
        this.writer = writer;
        this.properties = properties;
    }

    /** The entry on disk, with what its origin told about it; fails with {@link EntryFailed} when it cannot be had. */
    Mono<Sidecar> fetch(FetchRun run, int entry, String url) {
        Attempts attempts = new Attempts();
        return Mono.defer(() -> attempt(run, entry, url))
                .retryWhen(Retry.from(failures -> failures.concatMap(failure -> next(run, entry, attempts, failure.failure()))))
                .onErrorMap(error -> OutboundRefusedException.in(error) != null, error -> new EntryFailed(FetchErrors.describe(error)));
    }

    /** What the attempts of one entry have come to: failures in a row, and the most bytes it has had on disk. */
    private static final class Attempts {

        private int failures;

        private long most;
    }

    /**
     * When to try again after {@code error}: at once, the count starting over, when the break came after
     * new bytes; else after a pause while attempts fail in a row without adding to the most bytes the
     * entry has had on disk (up to {@code retries}: an origin that resets without honouring ranges gains
     * nothing and runs out of them). Errors that no attempt can mend fail at once.
     */
    private Mono<Long> next(FetchRun run, int entry, Attempts attempts, Throwable error) {
        if (!FetchErrors.isTransient(error)) {
            return Mono.error(error);
        }
        long now = run.bytesOf(entry);
        if (now > attempts.most && !(error instanceof Transient)) {
            attempts.failures = 0;
            attempts.most = now;
            return Mono.just(0L);
        }
        attempts.failures++;
        attempts.most = Math.max(attempts.most, now);
        if (attempts.failures > properties.retries()) {
            return Mono.error(new EntryFailed(FetchErrors.describe(error) + " (" + attempts.failures + " attempts in a row)"));
        }
        Duration retryAfter = error instanceof Transient answer ? answer.retryAfter() : null;
        return Mono.delay(properties.backoff().pause(attempts.failures, retryAfter));
    }

    private Mono<Sidecar> attempt(FetchRun run, int entry, String url) {
        return files.read(run.jobId(), entry)
                .flatMap(onDisk -> {
                    run.bytes(entry, onDisk.bytes());
                    run.length(entry, onDisk.sidecar().length());
                    if (onDisk.sidecar().done()) {
                        return Mono.just(onDisk.sidecar());
                    }
                    return run.checkpoint()
                            .then(request(run, entry, url, onDisk));
                });
    }

    private Mono<Sidecar> request(FetchRun run, int entry, String url, OnDisk onDisk) {
        boolean resume = onDisk.bytes() > 0 && onDisk.sidecar().validator() != null;
        return client
                .headers(headers -> {
                    if (resume) {
                        headers.set(HttpHeaderNames.RANGE, "bytes=" + onDisk.bytes() + "-");
                        headers.set(HttpHeaderNames.IF_RANGE, onDisk.sidecar().validator());
                    }
                })
                .get()
                .uri(url)
                .responseConnection((response, connection) -> answer(run, entry, resume ? onDisk : null, response,
                        bodyOf(connection)))
                .next();
    }

    /**
     * The body, read under {@link BodyWriter}'s idle clock, which stops while the job is paused: the
     * response timeout has had its say once the headers are in, and would cut a paused transfer.
     */
    private static ByteBufFlux bodyOf(Connection connection) {
        connection.removeHandler(NettyPipeline.ResponseTimeoutHandler);
        return connection.inbound().receive();
    }

    /** What the origin answered; {@code resumed} is what the request asked to continue (null: from zero). */
    private Mono<Sidecar> answer(FetchRun run, int entry, OnDisk resumed, HttpClientResponse response, ByteBufFlux body) {
        int status = response.status().code();
        HttpHeaders headers = response.responseHeaders();
        if (status == 206 && resumed != null) {
            return continued(run, entry, resumed, headers, body);
        }
        if (status == 200) {
            Sidecar fresh = new Sidecar(OriginHeaders.validator(headers), OriginHeaders.length(headers), OriginHeaders.fileName(headers), false);
            return writer.write(run, entry, fresh, 0, body);
        }
        if (status == 416 && resumed != null && Long.valueOf(resumed.bytes()).equals(resumed.sidecar().length())) {
            return writer.complete(run, entry, resumed.sidecar(), resumed.bytes());
        }
        if (status == 206 || status == 416) {
            return startOver(run, entry, "answered " + status + " to a range it was not asked for");
        }
        if (status == 408 || status == 429 || status >= 500) {
            return Mono.error(new Transient("HTTP " + status, OriginHeaders.retryAfter(headers)));
        }
        return Mono.error(new EntryFailed("HTTP " + status + " " + response.status().reasonPhrase()));
    }

    /** A 206: the rest of the same representation, unless the origin sent another one. */
    private Mono<Sidecar> continued(FetchRun run, int entry, OnDisk resumed, HttpHeaders headers, ByteBufFlux body) {
        long[] range = OriginHeaders.contentRange(headers.get(HttpHeaderNames.CONTENT_RANGE));
        String validator = OriginHeaders.validator(headers);
        boolean same = range != null && range[0] == resumed.bytes()
                && (validator == null || validator.equals(resumed.sidecar().validator()));
        if (!same) {
            return startOver(run, entry, "sent a different range or representation");
        }
        Sidecar sidecar = resumed.sidecar();
        Long length = range[1] >= 0 ? Long.valueOf(range[1]) : sidecar.length();
        return writer.write(run, entry, new Sidecar(sidecar.validator(), length, sidecar.fileName(), false), resumed.bytes(), body);
    }

    private Mono<Sidecar> startOver(FetchRun run, int entry, String why) {
        return files.forget(run.jobId(), entry)
                .doOnSuccess(done -> run.bytes(entry, 0))
                .then(Mono.error(new Transient("the origin " + why + "; fetching it again from the start", null)));
    }
}
