package io.zipflux.job;

import java.util.Locale;

import reactor.core.publisher.Mono;

import org.springframework.http.MediaType;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.stereotype.Component;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import org.springframework.web.server.ServerWebInputException;

import io.zipflux.security.Caller;
import io.zipflux.security.Callers;

/** Job status, listing, control and event streams. */
@Component
class JobHandler {

    private static final int MAX_LIMIT = 1000;

    private final JobService jobs;

    private final Callers callers;

    JobHandler(JobService jobs, Callers callers) {
        this.jobs = jobs;
        this.callers = callers;
    }

    Mono<ServerResponse> get(ServerRequest request) {
        return callers.of(request)
                .flatMap(caller -> jobs.get(request.pathVariable("id"), caller))
                .flatMap(job -> ServerResponse.ok().contentType(MediaType.APPLICATION_JSON).bodyValue(job));
    }

    Mono<ServerResponse> list(ServerRequest request) {
        String type = request.queryParam("type").filter(value -> !value.isBlank()).orElse(null);
        JobState state = request.queryParam("state").filter(value -> !value.isBlank()).map(JobHandler::state).orElse(null);
        int limit = request.queryParam("limit").map(JobHandler::limit).orElse(100);
        return callers.of(request)
                .flatMap(caller -> jobs.list(caller, type, state, limit).collectList())
                .flatMap(list -> ServerResponse.ok().contentType(MediaType.APPLICATION_JSON).bodyValue(list));
    }

    Mono<ServerResponse> act(ServerRequest request) {
        JobAction action = JobAction.parse(request.pathVariable("action"))
                .orElseThrow(() -> new ServerWebInputException("action must be pause, resume or cancel"));
        return callers.of(request)
                .flatMap(caller -> jobs.act(request.pathVariable("id"), caller, action))
                .flatMap(job -> ServerResponse.accepted().contentType(MediaType.APPLICATION_JSON).bodyValue(job));
    }

    Mono<ServerResponse> events(ServerRequest request) {
        return callers.of(request)
                .flatMap(caller -> jobs.get(request.pathVariable("id"), caller)
                        .flatMap(first -> stream(first, caller)));
    }

    private Mono<ServerResponse> stream(Job first, Caller caller) {
        return ServerResponse.ok()
                .contentType(MediaType.TEXT_EVENT_STREAM)
                .body(jobs.events(first.id().toString(), caller)
                        .map(job -> ServerSentEvent.builder(job)
                                .event(job.state().name().toLowerCase(Locale.ROOT))
                                .build()), ServerSentEvent.class);
    }

    private static JobState state(String value) {
        try {
            return JobState.valueOf(value.toUpperCase(Locale.ROOT));
        }
        catch (IllegalArgumentException ex) {
            throw new ServerWebInputException("state must be one of QUEUED, RUNNING, PAUSED, SUCCEEDED, FAILED, CANCELLED");
        }
    }

    private static int limit(String value) {
        try {
            int limit = Integer.parseInt(value);
            if (limit >= 1 && limit <= MAX_LIMIT) {
                return limit;
            }
        }
        catch (NumberFormatException ignored) {
            // answered below
        }
        throw new ServerWebInputException("limit must be a number from 1 to " + MAX_LIMIT);
    }
}
