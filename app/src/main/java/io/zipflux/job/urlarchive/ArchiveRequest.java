package io.zipflux.job.urlarchive;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * What a client asks an archive of, checked for form ({@link BadArchiveRequest} names the first
 * entry at fault), and its job parameters. Addresses are checked by the outbound policy afterwards.
 *
 * @param entries the URLs in request order, each with the name the client gave (null: derived later)
 * @param name the archive's file name (null: the job id)
 * @param skipFailed {@code onError=skip}: a failed entry is left out instead of failing the job
 * @param callbackUrl where to tell the client the job ended (null: nowhere)
 */
record ArchiveRequest(List<Entry> entries, String name, boolean skipFailed, String callbackUrl) {

    /** One URL of the archive. */
    record Entry(String url, String name) {
    }

    static ArchiveRequest parse(JsonNode body, int maxEntries) {
        if (body == null || !body.isObject()) {
            throw BadArchiveRequest.of("The body must be a JSON object with \"entries\" (or \"urls\").");
        }
        List<Entry> entries = entries(body, maxEntries);
        String name = optionalText(body, "name");
        if (name != null) {
            EntryNames.unsafe(name).ifPresent(reason -> {
                throw BadArchiveRequest.of("name: " + reason);
            });
        }
        String callbackUrl = optionalText(body, "callbackUrl");
        String problem = callbackUrl == null ? null : urlProblem(callbackUrl);
        if (problem != null) {
            throw BadArchiveRequest.of("callbackUrl (" + callbackUrl + "): " + problem);
        }
        return new ArchiveRequest(entries, name, skipFailed(body), callbackUrl);
    }

    private static List<Entry> entries(JsonNode body, int maxEntries) {
        JsonNode list = body.has("entries") ? body.get("entries") : body.get("urls");
        if (body.has("entries") && body.has("urls")) {
            throw BadArchiveRequest.of("Give \"entries\" or \"urls\", not both.");
        }
        if (list == null || !list.isArray()) {
            throw BadArchiveRequest.of("\"entries\" (or \"urls\") must be a list.");
        }
        if (list.isEmpty()) {
            throw BadArchiveRequest.of("The list of entries is empty.");
        }
        if (list.size() > maxEntries) {
            throw BadArchiveRequest.of("The request lists " + list.size() + " entries; at most " + maxEntries
                    + " are allowed (zipflux.fetch.max-entries).");
        }
        List<Entry> entries = new ArrayList<>(list.size());
        Map<String, Integer> names = new HashMap<>();
        for (int i = 0; i < list.size(); i++) {
            Entry entry = entry(i, list.get(i));
            if (entry.name() != null) {
                Integer before = names.putIfAbsent(EntryNames.key(entry.name()), i);
                if (before != null) {
                    throw BadArchiveRequest.entry(i, entry.url(), "name '" + entry.name() + "' is already the name of entries["
                            + before + "]");
                }
            }
            entries.add(entry);
        }
        return entries;
    }

    private static Entry entry(int index, JsonNode node) {
        JsonNode url = node.isObject() ? node.get("url") : node;
        if (url == null || !url.isTextual()) {
            throw BadArchiveRequest.entry(index, null, "\"url\" must be a string");
        }
        String name = node.isObject() ? optionalText(node, "name") : null;
        String problem = urlProblem(url.asText());
        if (problem != null) {
            throw BadArchiveRequest.entry(index, url.asText(), problem);
        }
        if (name != null) {
            EntryNames.unsafe(name).ifPresent(reason -> {
                throw BadArchiveRequest.entry(index, url.asText(), reason);
            });
        }
        return new Entry(url.asText(), name);
    }

    /** What is wrong with the form of a URL (absolute, http or https, with a host); null when nothing. */
    static String urlProblem(String url) {
        URI uri;
        try {
            uri = new URI(url);
        }
        catch (URISyntaxException ex) {
            return "not a URL (" + ex.getReason() + ")";
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase();
        if (!scheme.equals("http") && !scheme.equals("https")) {
            return uri.getScheme() == null ? "not an absolute URL"
                    : "scheme " + uri.getScheme() + " is not allowed (only http and https)";
        }
        return uri.getHost() == null ? "the URL has no host" : null;
    }

    private static boolean skipFailed(JsonNode body) {
        String onError = optionalText(body, "onError");
        if (onError == null || onError.equals("fail")) {
            return false;
        }
        if (onError.equals("skip")) {
            return true;
        }
        throw BadArchiveRequest.of("onError must be \"fail\" or \"skip\", not \"" + onError + "\".");
    }

    private static String optionalText(JsonNode node, String field) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isTextual()) {
            throw BadArchiveRequest.of("\"" + field + "\" must be a string.");
        }
        return value.asText();
    }

    /** The job's parameters: what every run starts from. */
    ObjectNode params(ObjectMapper json) {
        ObjectNode params = json.createObjectNode();
        ArrayNode list = params.putArray("entries");
        entries.forEach(entry -> {
            ObjectNode item = list.addObject().put("url", entry.url());
            if (entry.name() != null) {
                item.put("name", entry.name());
            }
        });
        if (name != null) {
            params.put("name", name);
        }
        return params.put("onError", skipFailed ? "skip" : "fail");
    }

    /** The same request, read back from a job's parameters. */
    static ArchiveRequest ofParams(JsonNode params) {
        List<Entry> entries = new ArrayList<>();
        params.get("entries").forEach(entry -> entries.add(new Entry(entry.get("url").asText(),
                entry.hasNonNull("name") ? entry.get("name").asText() : null)));
        return new ArchiveRequest(entries, params.hasNonNull("name") ? params.get("name").asText() : null,
                "skip".equals(params.path("onError").asText()), null);
    }

    /** The download's file name: the given name with ".zip", else the job id. */
    String fileName(Object jobId) {
        if (name == null) {
            return jobId + ".zip";
        }
        return name.toLowerCase().endsWith(".zip") ? name : name + ".zip";
    }
}
