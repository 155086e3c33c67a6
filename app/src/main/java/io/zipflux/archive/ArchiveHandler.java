package io.zipflux.archive;

import java.time.Instant;

import reactor.core.publisher.Mono;

import org.springframework.stereotype.Component;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;

/** Answers archive downloads of a photo folder through {@link ZipDownloads}, once a signed link (if on) is checked. */
@Component
class ArchiveHandler {

    private final PhotoFolders folders;

    private final ZipDownloads downloads;

    private final ArchiveLinks links;

    ArchiveHandler(PhotoFolders folders, ZipDownloads downloads, ArchiveLinks links) {
        this.folders = folders;
        this.downloads = downloads;
        this.links = links;
    }

    Mono<ServerResponse> download(ServerRequest request) {
        String hash = request.pathVariable("hash");
        return links.refusal(hash, request.queryParam("expires"), request.queryParam("signature"), Instant.now())
                .<Mono<ServerResponse>>map(Mono::error)
                .orElseGet(() -> downloads.serve(request, hash + ".zip", folders.list(hash)));
    }

    /** Same headers as a download, nothing packed. */
    Mono<ServerResponse> head(ServerRequest request) {
        return download(request);
    }
}
