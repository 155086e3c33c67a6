package io.zipflux.job.urlarchive;

import java.net.URI;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.http.MediaType;
import org.springframework.stereotype.Component;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;

import io.zipflux.archive.ZipDownloads;
import io.zipflux.job.Job;
import io.zipflux.job.JobExceptions;
import io.zipflux.job.JobService;
import io.zipflux.job.JobState;
import io.zipflux.outbound.OutboundHttp;
import io.zipflux.outbound.OutboundRefusedException;
import io.zipflux.security.Caller;
import io.zipflux.security.Callers;
import io.zipflux.system.PublicErrors;

/** Archives from URLs: accept one as a job (every URL checked first), download its zip once it has SUCCEEDED. */
@Component
class UrlArchiveHandler {

    private final JobService jobs;

    private final OutboundHttp outbound;

    private final UrlArchiveFiles files;

    private final ZipDownloads downloads;

    private final FetchProperties properties;

    private final ObjectMapper json;

    private final Callers callers;

    UrlArchiveHandler(JobService jobs, OutboundHttp outbound, UrlArchiveFiles files, ZipDownloads downloads,
            FetchProperties properties, ObjectMapper json, Callers callers) {
        this.jobs = jobs;
        this.callers = callers;
        this.outbound = outbound;
        this.files = files;
        this.downloads = downloads;
        this.properties = properties;
        this.json = json;
    }

    Mono<ServerResponse> create(ServerRequest request) {
        return callers.of(request)
                .flatMap(caller -> request.bodyToMono(JsonNode.class)
                        .switchIfEmpty(Mono.error(() -> BadArchiveRequest.of("A JSON body with \"entries\" (or \"urls\") is required.")))
                        .map(body -> ArchiveRequest.parse(body, properties.maxEntries()))
                        .flatMap(this::checkAddresses)
                        .flatMap(archive -> submit(caller, archive)))
                .flatMap(job -> ServerResponse.accepted()
                        .location(URI.create("/api/v1/jobs/" + job.id()))
                        .contentType(MediaType.APPLICATION_JSON)
                        .bodyValue(job));
    }

    /** Submit checks the callback URL as for every job type (400 when refused). */
    private Mono<Job> submit(Caller caller, ArchiveRequest archive) {
        return jobs.submit(caller, UrlArchiveWorker.TYPE, archive.params(json), null, "bytes", archive.callbackUrl(),
                job -> Mono.empty());
    }

    /** Every URL past the outbound policy now: a refused one is a 400 naming it. */
    private Mono<ArchiveRequest> checkAddresses(ArchiveRequest archive) {
        return Flux.fromIterable(firstOfEachOrigin(archive))
                .concatMap(index -> outbound.check(archive.entries().get(index).url())
                        .onErrorMap(error -> BadArchiveRequest.entry(index, archive.entries().get(index).url(), why(error))))
                .then(Mono.just(archive));
    }

    /**
     * The first entry of each scheme and authority, in request order: the policy's answer depends on
     * nothing else (the paths were checked for form already), so each origin is looked up once.
     */
    private static Collection<Integer> firstOfEachOrigin(ArchiveRequest archive) {
        Map<String, Integer> first = new LinkedHashMap<>();
        for (int i = 0; i < archive.entries().size(); i++) {
            URI url = URI.create(archive.entries().get(i).url());
            first.putIfAbsent(url.getScheme().toLowerCase(Locale.ROOT) + "://" + url.getRawAuthority().toLowerCase(Locale.ROOT), i);
        }
        return first.values();
    }

    /** A refusal says why; a host that cannot be looked up is refused too. */
    private static String why(Throwable error) {
        OutboundRefusedException refused = OutboundRefusedException.in(error);
        return refused != null ? refused.getMessage() : "its host cannot be looked up (" + PublicErrors.describe(error) + ")";
    }

    /** The zip of a SUCCEEDED job, packed by the archive engine; 409 before, 410 when its files are gone. */
    Mono<ServerResponse> download(ServerRequest request) {
        String id = request.pathVariable("id");
        return callers.of(request)
                .flatMap(caller -> jobs.get(id, caller))
                .filter(job -> job.type().equals(UrlArchiveWorker.TYPE))
                .switchIfEmpty(Mono.error(() -> new JobExceptions.NotFound(id)))
                .flatMap(job -> job.state() == JobState.SUCCEEDED
                        ? downloads.serve(request, ArchiveRequest.ofParams(job.params()).fileName(job.id()), files.entries(job.id()))
                        : Mono.error(new JobExceptions.Conflict(job.id(), job.state(), "be downloaded before it has SUCCEEDED")));
    }
}
