package io.zipflux.system;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.Operation;
import io.swagger.v3.oas.models.PathItem;
import io.swagger.v3.oas.models.headers.Header;
import io.swagger.v3.oas.models.media.Content;
import io.swagger.v3.oas.models.media.IntegerSchema;
import io.swagger.v3.oas.models.media.MediaType;
import io.swagger.v3.oas.models.media.Schema;
import io.swagger.v3.oas.models.media.StringSchema;
import io.swagger.v3.oas.models.parameters.HeaderParameter;
import io.swagger.v3.oas.models.responses.ApiResponse;
import io.swagger.v3.oas.models.responses.ApiResponses;
import org.springdoc.core.customizers.OpenApiCustomizer;

/**
 * The answers a route gives because of what kind of route it is, not what it does, added to each route's own:
 * credentials (every {@code /api/v1} route), CORS, the job-creating {@code POST}s' idempotency key and per-client
 * limit; and problem details as the body of every error answer that names no other (a range refusal has none).
 */
final class CommonAnswers implements OpenApiCustomizer {

    /** The routes that create a job: they take an {@code Idempotency-Key} and count against the client's limit. */
    static final Set<String> JOB_CREATING = Set.of("POST /api/v1/files", "POST /api/v1/exports", "POST /api/v1/imports",
            "POST /api/v1/archives");

    /** The routes that read or write jobs: they answer 503 while the job store is down. */
    static final Set<String> JOB_STORE_PATHS = Set.of("/api/v1/jobs", "/api/v1/files", "/api/v1/exports",
            "/api/v1/responses.csv", "/api/v1/imports", "/api/v1/archives");

    static final String IDEMPOTENCY_KEY = "Idempotency-Key";

    private static final String PROBLEM_JSON = "application/problem+json";

    /** What springdoc guesses for an answer declared without a body: the handler's return type, of any media type. */
    private static final String GUESSED_BODY = "ServerResponse";

    @Override
    public void customise(OpenAPI api) {
        api.getPaths().forEach((path, item) -> item.readOperationsMap().forEach((method, operation) ->
                complete(path, method, operation)));
        api.getComponents().getSchemas().remove(GUESSED_BODY);
        JobResult.describe(api.getComponents().getSchemas());
    }

    private static void complete(String path, PathItem.HttpMethod method, Operation operation) {
        ApiResponses answers = operation.getResponses() == null ? new ApiResponses() : operation.getResponses();
        answers.values().forEach(CommonAnswers::dropGuessedBody);
        if (!path.startsWith("/api/v1/")) {
            // Open routes (archives): no bearer credential, whatever the description's default.
            operation.setSecurity(List.of());
        }
        if (JOB_STORE_PATHS.stream().anyMatch(store -> path.equals(store) || path.startsWith(store + "/"))) {
            add(answers, "503", "the job store (PostgreSQL) cannot be reached");
        }
        if (path.startsWith("/api/v1/")) {
            add(answers, "401", "no credential, or a bad or revoked one");
            add(answers, "503", "credentials cannot be checked (the key table or the identity provider is unreachable)");
        }
        if (path.startsWith("/api/v1/keys")) {
            add(answers, "403", "the credential is a client's: keys are for admins");
        }
        if (path.startsWith("/api/v1/") || path.startsWith("/archive/")) {
            add(answers, "403", "(zipflux.http.cors-origins set) a browser page of an origin it does not list");
        }
        if (JOB_CREATING.contains(method + " " + path)) {
            if (!takesIdempotencyKey(operation)) {
                operation.addParametersItem(new HeaderParameter()
                        .name(IDEMPOTENCY_KEY)
                        .description("A key the client chooses (a UUID, say): the same key from the same client within "
                                + "24 h answers the first job (same status and body) instead of creating another")
                        .schema(new StringSchema()));
            }
            add(answers, "422", "the Idempotency-Key was used with another request (body or query)");
            add(answers, "409", "a request with this Idempotency-Key is still running (Retry-After: 1); "
                    + "its repeat then gets the first answer");
            add(answers, "429", "the client has as many QUEUED, RUNNING and PAUSED jobs as "
                    + "zipflux.security.max-active-jobs allows");
        }
        answers.forEach((status, answer) -> headersAndBody(status, answer, method == PathItem.HttpMethod.HEAD));
        operation.setResponses(sorted(answers));
    }

    private static boolean takesIdempotencyKey(Operation operation) {
        return operation.getParameters() != null && operation.getParameters().stream()
                .anyMatch(parameter -> IDEMPOTENCY_KEY.equals(parameter.getName()));
    }

    private static void dropGuessedBody(ApiResponse answer) {
        if (answer.getContent() == null) {
            return;
        }
        answer.getContent().entrySet().removeIf(media -> media.getValue().getSchema() != null
                && ("#/components/schemas/" + GUESSED_BODY).equals(media.getValue().getSchema().get$ref()));
        if (answer.getContent().isEmpty()) {
            answer.setContent(null);
        }
    }

    /** Adds {@code why} to the answer {@code status}, making it if the route has none. */
    private static void add(ApiResponses answers, String status, String why) {
        ApiResponse answer = answers.get(status);
        if (answer == null) {
            answers.addApiResponse(status, new ApiResponse().description(why));
        }
        else if (answer.getDescription() == null || answer.getDescription().isBlank()) {
            answer.setDescription(why);
        }
        else if (!answer.getDescription().contains(why)) {
            answer.setDescription(answer.getDescription() + "; or " + why);
        }
    }

    private static void headersAndBody(String status, ApiResponse answer, boolean head) {
        switch (status) {
            case "401" -> answer.addHeaderObject("WWW-Authenticate", header("Bearer, with error=\"invalid_token\" for a bad one"));
            case "429", "503" -> answer.addHeaderObject("Retry-After", new Header()
                    .description("seconds to wait before trying again")
                    .schema(new IntegerSchema()));
            default -> {
            }
        }
        boolean error = status.startsWith("4") || status.startsWith("5");
        // A range refusal (ours and Spring's for files) is headers only: Content-Range: bytes */length.
        if (error && !head && !"416".equals(status) && (answer.getContent() == null || answer.getContent().isEmpty())) {
            answer.setContent(new Content().addMediaType(PROBLEM_JSON, new MediaType()
                    .schema(new Schema<>().$ref("#/components/schemas/" + ApiDescription.PROBLEM))));
        }
    }

    private static Header header(String description) {
        return new Header().description(description).schema(new StringSchema());
    }

    private static ApiResponses sorted(ApiResponses answers) {
        ApiResponses sorted = new ApiResponses();
        new TreeMap<>(Map.copyOf(answers)).forEach(sorted::addApiResponse);
        return sorted;
    }
}
