package io.zipflux.job.urlarchive;

import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * Names of the files inside a URL archive: a client's name is checked (refused when unsafe), a name
 * taken from the origin is sanitized, and all are made unique in request order ({@code a.jpg},
 * {@code a (1).jpg}, ...), compared without case so that no two collide when unpacked anywhere.
 */
final class EntryNames {

    static final int MAX_LENGTH = 255;

    private static final String FALLBACK = "download";

    private EntryNames() {
    }

    /** Why a client-given name cannot be used as it is; empty when it can. */
    static Optional<String> unsafe(String name) {
        if (name.isBlank()) {
            return Optional.of("name is empty");
        }
        if (name.length() > MAX_LENGTH) {
            return Optional.of("name is longer than " + MAX_LENGTH + " characters");
        }
        if (name.equals(".") || name.equals("..")) {
            return Optional.of("name '" + name + "' is not a file name");
        }
        if (name.indexOf('/') >= 0 || name.indexOf('\\') >= 0) {
            return Optional.of("name must not contain '/' or '\\'");
        }
        if (name.chars().anyMatch(EntryNames::isControl)) {
            return Optional.of("name must not contain control characters");
        }
        return Optional.empty();
    }

    /** A name from an origin (Content-Disposition or URL), made safe: separators and control characters become '_'. */
    static String sanitize(String raw) {
        StringBuilder name = new StringBuilder(raw.length());
        raw.codePoints().forEach(c -> name.appendCodePoint(c == '/' || c == '\\' || isControl(c) ? '_' : c));
        String safe = name.toString().strip();
        if (safe.isEmpty() || safe.chars().allMatch(c -> c == '.')) {
            return FALLBACK;
        }
        return safe.length() > MAX_LENGTH ? safe.substring(0, MAX_LENGTH) : safe;
    }

    /** The URL's last non-empty path segment, percent-decoded; the host when there is none. */
    static String fromUrl(String url) {
        URI uri = URI.create(url);
        String path = uri.getRawPath() == null ? "" : uri.getRawPath();
        String[] segments = path.split("/");
        for (int i = segments.length - 1; i >= 0; i--) {
            if (!segments[i].isEmpty()) {
                return URLDecoder.decode(segments[i].replace("+", "%2B"), StandardCharsets.UTF_8);
            }
        }
        return uri.getHost() == null ? FALLBACK : uri.getHost();
    }

    /** Case-insensitive key under which names collide. */
    static String key(String name) {
        return name.toLowerCase(Locale.ROOT);
    }

    /**
     * Unique names, in order: names a client gave ({@code given[i]}) are kept as they are (they are
     * unique already), the others get the first free " (n)" before their extension.
     */
    static List<String> unique(List<String> names, List<Boolean> given) {
        Set<String> taken = new HashSet<>();
        for (int i = 0; i < names.size(); i++) {
            if (given.get(i)) {
                taken.add(key(names.get(i)));
            }
        }
        List<String> unique = new ArrayList<>(names.size());
        for (int i = 0; i < names.size(); i++) {
            String name = names.get(i);
            if (!given.get(i)) {
                name = free(name, taken);
                taken.add(key(name));
            }
            unique.add(name);
        }
        return unique;
    }

    private static String free(String name, Set<String> taken) {
        if (!taken.contains(key(name))) {
            return name;
        }
        int dot = name.lastIndexOf('.');
        String base = dot > 0 ? name.substring(0, dot) : name;
        String extension = dot > 0 ? name.substring(dot) : "";
        for (int n = 1; ; n++) {
            String candidate = base + " (" + n + ")" + extension;
            if (!taken.contains(key(candidate))) {
                return candidate;
            }
        }
    }

    private static boolean isControl(int c) {
        return c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0);
    }
}
