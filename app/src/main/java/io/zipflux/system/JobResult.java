package io.zipflux.system;

import java.util.Map;

import io.swagger.v3.oas.models.media.ObjectSchema;
import io.swagger.v3.oas.models.media.Schema;

/**
 * The job's {@code result} in the description: a JSON tree in the code, so springdoc can only say "JsonNode"; this
 * says what each job type puts there.
 */
final class JobResult {

    private static final String DESCRIPTION = """
            null until the job ends; SUCCEEDED: hash {md5, sha256, size}; export {rows, bytes, from, to, \
            spreadsheetSafe, download}; import {rows}; url-archive {files, bytes, skipped: [{url, error}], download} \
            (while it runs: what is done so far)""";

    private JobResult() {
    }

    /** Replaces the guessed schema of {@code Job.result} with the described one. */
    static void describe(Map<String, Schema> schemas) {
        Schema<?> job = schemas.get("Job");
        if (job == null || job.getProperties() == null || !job.getProperties().containsKey("result")) {
            return;
        }
        job.getProperties().put("result", new ObjectSchema().nullable(true).description(DESCRIPTION));
        boolean stillUsed = schemas.values().stream()
                .filter(schema -> schema.getProperties() != null)
                .flatMap(schema -> ((Map<String, Schema>) schema.getProperties()).values().stream())
                .anyMatch(property -> "#/components/schemas/JsonNode".equals(property.get$ref()));
        if (!stillUsed) {
            schemas.remove("JsonNode");
        }
    }
}
