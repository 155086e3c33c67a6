package io.zipflux.system;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.springframework.test.web.reactive.server.WebTestClient;

/** The OpenAPI description a running instance publishes, read the way the tests look at it. */
record ApiDocument(JsonNode json) {

    private static final ObjectMapper JSON = new ObjectMapper();

    static ApiDocument of(WebTestClient web) {
        return new ApiDocument(web.get().uri("/v3/api-docs").exchange()
                .expectStatus().isOk()
                .expectBody(JsonNode.class).returnResult().getResponseBody());
    }

    /** Every described operation, as "METHOD /path" (a trailing slash dropped, as {@link RoutedPaths} does). */
    Map<String, JsonNode> operations() {
        Map<String, JsonNode> operations = new TreeMap<>();
        json.get("paths").properties().forEach(path -> path.getValue().properties().forEach(operation -> operations.put(
                operation.getKey().toUpperCase() + " " + path.getKey().replaceAll("(.)/$", "$1"), operation.getValue())));
        return operations;
    }

    /** The statuses an operation describes. */
    static Set<Integer> statuses(JsonNode operation) {
        return names(operation.get("responses")).stream().map(Integer::valueOf).collect(Collectors.toCollection(TreeSet::new));
    }

    /** The member names of a JSON object. */
    static Set<String> names(JsonNode node) {
        Set<String> names = new HashSet<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }

    /** The properties of the named component schema. */
    Set<String> properties(String schema) {
        return names(json.at("/components/schemas/" + schema + "/properties"));
    }

    static JsonNode read(byte[] body) {
        try {
            return JSON.readTree(body);
        }
        catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }

    static String text(JsonNode json) {
        try {
            return JSON.writeValueAsString(json);
        }
        catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }
}
