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

    private final FolderLayouts layouts;

    ArchiveHandler(PhotoFolders folders, FolderLayouts layouts, ZipDownloads downloads, ArchiveLinks links) {
        this.folders = folders;
        this.layouts = layouts;
        this.downloads = downloads;
        this.links = links;
    }

    Mono<ServerResponse> download(ServerRequest request) {
        String hash = request.pathVariable("hash");
        return links.refusal(hash, request.queryParam("expires"), request.queryParam("signature"), Instant.now())
                .<Mono<ServerResponse>>map(Mono::error)
                .orElseGet(() -> downloads.serveLayout(request, hash + ".zip", folders.folder(hash)
                        .flatMap(layouts::layout)));
    }

    /** Same headers as a download, nothing packed. */
    Mono<ServerResponse> head(ServerRequest request) {
        return download(request);
    }
}
