package io.zipflux.system;

import java.util.List;
import java.util.Map;

import io.swagger.v3.oas.models.Components;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.info.Info;
import io.swagger.v3.oas.models.media.IntegerSchema;
import io.swagger.v3.oas.models.media.ObjectSchema;
import io.swagger.v3.oas.models.media.Schema;
import io.swagger.v3.oas.models.media.StringSchema;
import io.swagger.v3.oas.models.security.SecurityRequirement;
import io.swagger.v3.oas.models.security.SecurityScheme;
import io.swagger.v3.oas.models.tags.Tag;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.info.BuildProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The OpenAPI description's frame: title, the build's version, what the service is, the bearer credential, the
 * feature tags and the schemas every route shares (problem details, a multipart file). Each route's own answers
 * are on its {@code *Routes} class; what every route of a kind answers is added by {@link CommonAnswers}.
 */
@Configuration(proxyBeanMethods = false)
class ApiDescription {

    static final String BEARER = "bearer";

    /** Problem details (RFC 9457), the body of every error answer. */
    static final String PROBLEM = "Problem";

    /** A multipart body whose field {@code file} is the file. */
    static final String MULTIPART_FILE = "MultipartFile";

    private static final String DESCRIPTION = """
            zipflux streams a zip of a folder while it packs it (exact length, ranges, ETag in store mode) and runs \
            long jobs (file hashes, CSV exports and imports, archives fetched from URLs) that any instance can \
            pause, resume or cancel.

            Every `/api/v1` route needs `Authorization: Bearer <API key or token>`; `/archive/` is open unless \
            links are signed. Errors are `application/problem+json` (RFC 9457) with the request's `requestId`. \
            A job-creating `POST` takes an `Idempotency-Key`: a retry with the same key returns the first job; \
            a client with as many active jobs as it may gets `429` with `Retry-After`. While PostgreSQL is down, \
            the job routes answer `503` with `Retry-After` (jobs accepted while Kafka is down wait QUEUED for it; \
            archives stream either way). Browser pages of the origins listed in \
            `zipflux.http.cors-origins` may call `/api/v1/**` and `/archive/**`; other origins get `403`.""";

    private static final Map<String, String> TAGS = Map.of(
            "Archives", "Zips of photo folders, streamed while they are packed",
            "Jobs", "Every job type: state, progress, result, events, pause, resume and cancel",
            "Files", "Uploads hashed by a job (MD5 and SHA-256)",
            "Exports", "CSV of the form responses of a date range, as a job or streamed",
            "Imports", "CSV into the form responses, all or nothing",
            "URL archives", "Zips of files fetched from URLs, as a job",
            "Links", "Signed, expiring links to archives",
            "Keys", "API keys (admins only)");

    @Bean
    OpenAPI openApi(ObjectProvider<BuildProperties> build) {
        return new OpenAPI()
                .info(new Info()
                        .title("zipflux")
                        .version(version(build.getIfAvailable()))
                        .description(DESCRIPTION))
                .tags(TAGS.entrySet().stream()
                        .sorted(Map.Entry.comparingByKey())
                        .map(tag -> new Tag().name(tag.getKey()).description(tag.getValue()))
                        .toList())
                .addSecurityItem(new SecurityRequirement().addList(BEARER))
                .components(new Components()
                        .addSecuritySchemes(BEARER, new SecurityScheme()
                                .type(SecurityScheme.Type.HTTP)
                                .scheme("bearer")
                                .description("An API key (zf_..., from `java -jar zipflux.jar keys create NAME`) or a "
                                        + "token of the configured identity provider"))
                        .addSchemas(PROBLEM, problem())
                        .addSchemas(MULTIPART_FILE, multipartFile()));
    }

    @Bean
    CommonAnswers commonAnswers() {
        return new CommonAnswers();
    }

    /** The version Maven built (META-INF/build-info.properties); a run from sources without it says so. */
    private static String version(BuildProperties build) {
        return build != null ? build.getVersion() : "unknown (not built by Maven)";
    }

    private static Schema<?> problem() {
        return new ObjectSchema()
                .description("Problem details (RFC 9457); some problems add members of their own (a job's `state`, a `limit`)")
                .addProperty("type", new StringSchema().format("uri").description("about:blank unless a type is defined"))
                .addProperty("title", new StringSchema().description("short summary of the problem"))
                .addProperty("status", new IntegerSchema().description("the HTTP status"))
                .addProperty("detail", new StringSchema().description("what was wrong with this request, in words"))
                .addProperty("instance", new StringSchema().format("uri").description("the path of the request"))
                .addProperty("requestId", new StringSchema().description("the request's id, as in the logs "
                        + "(X-Request-Id when the client sent one)"))
                .required(List.of("title", "status"))
                .additionalProperties(true);
    }

    private static Schema<?> multipartFile() {
        return new ObjectSchema()
                .description("multipart/form-data whose field `file` holds the file; other fields are ignored")
                .addProperty("file", new StringSchema().format("binary"))
                .required(List.of("file"));
    }
}
