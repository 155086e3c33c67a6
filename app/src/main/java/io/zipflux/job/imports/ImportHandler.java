package io.zipflux.job.imports;

import java.net.URI;
import java.util.List;
import java.util.function.Function;

import com.fasterxml.jackson.databind.ObjectMapper;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.codec.multipart.PartEvent;
import org.springframework.stereotype.Component;
import org.springframework.web.ErrorResponseException;
import org.springframework.web.reactive.function.BodyExtractors;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import org.springframework.web.server.UnsupportedMediaTypeStatusException;

import io.zipflux.job.AttachedJobs;
import io.zipflux.job.DatabaseStreams;
import io.zipflux.job.Job;
import io.zipflux.security.Caller;
import io.zipflux.security.Callers;
import io.zipflux.system.MultipartBodies;

/**
 * CSV imports in two steps (create the job, then send its data, so that the client can pause or
 * cancel an upload in flight) or in one (POST with the data).
 */
@Component
class ImportHandler {

    private static final String FIELD = "file";

    private static final List<MediaType> ACCEPTED = List.of(new MediaType("text", "csv"), new MediaType("application", "csv"),
            MediaType.TEXT_PLAIN, MediaType.MULTIPART_FORM_DATA);

    private final AttachedJobs jobs;

    private final CsvImport csvImport;

    private final ObjectMapper json;

    private final DatabaseStreams streams;

    private final Callers callers;

    ImportHandler(AttachedJobs jobs, CsvImport csvImport, ObjectMapper json, DatabaseStreams streams, Callers callers) {
        this.jobs = jobs;
        this.callers = callers;
        this.csvImport = csvImport;
        this.json = json;
        this.streams = streams;
    }

    /** Without a body: 201 and the QUEUED job, which waits for its data. With one: the whole import. */
    Mono<ServerResponse> create(ServerRequest request) {
        if (!hasBody(request)) {
            return callers.of(request)
                    .flatMap(caller -> newJob(request, caller))
                    .flatMap(job -> ServerResponse.created(URI.create("/api/v1/imports/" + job.id()))
                            .contentType(MediaType.APPLICATION_JSON)
                            .bodyValue(job));
        }
        return withCsv(request, csv -> callers.of(request)
                .flatMap(caller -> holdingAStream(newJob(request, caller)
                        .flatMap(job -> jobs.run(job.id().toString(), caller, csvImport, csv))))
                .flatMap(ImportHandler::ended));
    }

    /** The data of a created import (404 unless the caller may see it): answers once the import has ended. */
    Mono<ServerResponse> upload(ServerRequest request) {
        return withCsv(request, csv -> callers.of(request)
                .flatMap(caller -> holdingAStream(jobs.run(request.pathVariable("id"), caller, csvImport, csv)))
                .flatMap(ImportHandler::ended));
    }

    /** The import of the body's CSV; a body refused by its Content-Type (415, 400) is refused before any job runs. */
    private static Mono<ServerResponse> withCsv(ServerRequest request, Function<Flux<DataBuffer>, Mono<ServerResponse>> importing) {
        Flux<DataBuffer> csv;
        try {
            csv = csv(request);
        }
        catch (ErrorResponseException refused) {
            return MultipartBodies.refuse(request, refused);
        }
        return importing.apply(csv);
    }

    /**
     * A QUEUED import; {@code ?ids=} (400 when unknown) decides what happens to the ids of its rows, and its
     * callback URL, if any, comes with the request that creates it.
     */
    private Mono<Job> newJob(ServerRequest request, Caller caller) {
        IdMode ids = IdMode.of(request.queryParam(IdMode.PARAM));
        return jobs.create(caller, CsvImport.TYPE, json.createObjectNode().put(IdMode.PARAM, ids.param()), "rows",
                request.queryParam("callbackUrl").orElse(null));
    }

    /** An import holds a database connection until it ends: it runs in one of the instance's database streams. */
    private Mono<Job> holdingAStream(Mono<Job> run) {
        return Mono.usingWhen(Mono.fromCallable(streams::take), slot -> run, slot -> Mono.fromRunnable(slot::release));
    }

    /** 200 and the SUCCEEDED job; a failed import is the client's data (422), a cancelled one a conflict (409). */
    private static Mono<ServerResponse> ended(Job job) {
        HttpStatus status = switch (job.state()) {
            case SUCCEEDED -> HttpStatus.OK;
            case CANCELLED -> HttpStatus.CONFLICT;
            default -> HttpStatus.UNPROCESSABLE_ENTITY;
        };
        return ServerResponse.status(status).contentType(MediaType.APPLICATION_JSON).bodyValue(job);
    }

    /** The CSV bytes of the body: all of it, or the content of the multipart field "file". 415 for other types. */
    private static Flux<DataBuffer> csv(ServerRequest request) {
        MediaType type = MultipartBodies.contentType(request).orElse(null);
        if (type == null || ACCEPTED.stream().noneMatch(accepted -> accepted.includes(type))) {
            throw new UnsupportedMediaTypeStatusException(type, ACCEPTED);
        }
        if (MediaType.MULTIPART_FORM_DATA.includes(type)) {
            return MultipartBodies.events(request).concatMap(ImportHandler::fileContent);
        }
        return request.body(BodyExtractors.toDataBuffers());
    }

    private static Mono<DataBuffer> fileContent(PartEvent event) {
        if (FIELD.equals(event.name())) {
            return Mono.just(event.content());
        }
        DataBufferUtils.release(event.content());
        return Mono.empty();
    }

    private static boolean hasBody(ServerRequest request) {
        return request.headers().firstHeader("Content-Type") != null || request.headers().contentLength().orElse(0) > 0
                || request.headers().firstHeader("Transfer-Encoding") != null;
    }
}
