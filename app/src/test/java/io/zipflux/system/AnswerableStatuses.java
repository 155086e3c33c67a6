package io.zipflux.system;

import java.util.Map;
import java.util.Set;

/**
 * Every status each route can answer, read from its handler and DESIGN.md: what {@link ApiDescriptionTest} holds the
 * OpenAPI description to. 401 and 503 (credentials cannot be checked) on every API route; 403 on every route a
 * browser page of an unlisted origin may call; 409 (a request with its Idempotency-Key still running), 422 (a reused
 * Idempotency-Key) and 429 on every job-creating POST;
 * 408 where a stalled request body is answered (an import's ends its job instead: 422).
 */
final class AnswerableStatuses {

    static final Map<String, Set<Integer>> BY_ROUTE = Map.ofEntries(
            Map.entry("GET /api/v1/jobs", Set.of(200, 400, 401, 403, 503)),
            Map.entry("GET /api/v1/jobs/{id}", Set.of(200, 401, 403, 404, 503)),
            Map.entry("GET /api/v1/jobs/{id}/events", Set.of(200, 401, 403, 404, 503)),
            Map.entry("POST /api/v1/jobs/{id}/{action}", Set.of(202, 400, 401, 403, 404, 409, 503)),
            Map.entry("POST /api/v1/files", Set.of(202, 400, 401, 403, 408, 409, 413, 415, 422, 429, 503, 507)),
            Map.entry("GET /api/v1/files/{id}/hash", Set.of(200, 401, 403, 404, 503)),
            Map.entry("POST /api/v1/exports", Set.of(202, 400, 401, 403, 409, 422, 429, 503)),
            Map.entry("GET /api/v1/exports/{id}/download", Set.of(200, 206, 401, 403, 404, 409, 410, 416, 503)),
            Map.entry("GET /api/v1/responses.csv", Set.of(200, 400, 401, 403, 503)),
            Map.entry("POST /api/v1/imports", Set.of(200, 201, 400, 401, 403, 409, 415, 422, 429, 503)),
            Map.entry("PUT /api/v1/imports/{id}", Set.of(200, 400, 401, 403, 404, 409, 415, 422, 503)),
            Map.entry("POST /api/v1/archives", Set.of(202, 400, 401, 403, 408, 409, 415, 422, 429, 503)),
            Map.entry("GET /api/v1/archives/{id}/download", Set.of(200, 206, 304, 400, 401, 403, 404, 409, 410, 416, 503)),
            Map.entry("HEAD /api/v1/archives/{id}/download", Set.of(200, 206, 304, 400, 401, 403, 404, 409, 410, 416, 503)),
            Map.entry("POST /api/v1/links", Set.of(200, 400, 401, 403, 404, 408, 409, 415, 503)),
            Map.entry("POST /api/v1/keys", Set.of(201, 400, 401, 403, 408, 409, 415, 503)),
            Map.entry("GET /api/v1/keys", Set.of(200, 401, 403, 503)),
            Map.entry("DELETE /api/v1/keys/{name}", Set.of(200, 401, 403, 404, 503)),
            Map.entry("GET /archive/{hash}", Set.of(200, 206, 304, 400, 403, 404, 410, 416, 503)),
            Map.entry("HEAD /archive/{hash}", Set.of(200, 206, 304, 400, 403, 404, 410, 416)));

    private AnswerableStatuses() {
    }
}
