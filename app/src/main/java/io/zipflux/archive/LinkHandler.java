package io.zipflux.archive;

import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Map;

import reactor.core.publisher.Mono;

import org.springframework.stereotype.Component;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;

/** {@code POST /api/v1/links}: a signed, expiring link to one archive. */
@Component
class LinkHandler {

    /** The lifetime of a link whose request names none (or the cap, when it is shorter). */
    static final Duration DEFAULT_TTL = Duration.ofHours(1);

    /** The body of a link request; {@code ttl} is an ISO-8601 duration such as {@code PT10M}. */
    record LinkRequest(String hash, String ttl) {
    }

    private final ArchiveLinks links;

    private final Duration maxTtl;

    private final PhotoFolders folders;

    LinkHandler(ArchiveLinks links, LinkProperties properties, PhotoFolders folders) {
        this.links = links;
        this.maxTtl = properties.linkMaxTtl();
        this.folders = folders;
    }

    Mono<ServerResponse> create(ServerRequest request) {
        if (!links.signing()) {
            return Mono.error(LinkProblem.signingOff());
        }
        return request.bodyToMono(LinkRequest.class)
                .switchIfEmpty(Mono.error(() -> LinkProblem.badRequest("A JSON body {\"hash\", \"ttl\"} is required.")))
                .flatMap(this::sign);
    }

    private Mono<ServerResponse> sign(LinkRequest link) {
        if (link.hash() == null) {
            return Mono.error(LinkProblem.badRequest("\"hash\" is required: the name of the archive's folder."));
        }
        Instant expires = Instant.now().plus(ttl(link.ttl()));
        String url = "/archive/" + link.hash() + "/?" + links.query(link.hash(), expires);
        return folders.exists(link.hash())
                .then(ServerResponse.ok().bodyValue(Map.of("url", url, "expiresAt", expires.toString())));
    }

    private Duration ttl(String text) {
        if (text == null) {
            return DEFAULT_TTL.compareTo(maxTtl) <= 0 ? DEFAULT_TTL : maxTtl;
        }
        Duration ttl = parse(text);
        if (ttl.compareTo(Duration.ofSeconds(1)) < 0) {
            throw LinkProblem.badRequest("\"ttl\" must be at least PT1S; got " + text + ".");
        }
        if (ttl.compareTo(maxTtl) > 0) {
            throw LinkProblem.badRequest("\"ttl\" " + text + " is over the cap of " + maxTtl
                    + " (zipflux.archive.link-max-ttl).");
        }
        return ttl;
    }

    private static Duration parse(String text) {
        try {
            return Duration.parse(text);
        }
        catch (DateTimeParseException ex) {
            throw LinkProblem.badRequest("\"ttl\" must be an ISO-8601 duration such as PT10M; got '"
                    + ArchiveNotFoundException.printable(text) + "'.");
        }
    }
}
