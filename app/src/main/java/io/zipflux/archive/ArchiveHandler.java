package io.zipflux.archive;

import reactor.core.publisher.Mono;

import org.springframework.stereotype.Component;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;

/** Answers archive downloads of a photo folder through {@link ZipDownloads}. */
@Component
class ArchiveHandler {

    private final PhotoFolders folders;

    private final ZipDownloads downloads;

    ArchiveHandler(PhotoFolders folders, ZipDownloads downloads) {
        this.folders = folders;
        this.downloads = downloads;
    }

    Mono<ServerResponse> download(ServerRequest request) {
        String hash = request.pathVariable("hash");
        return downloads.serve(request, hash + ".zip", folders.list(hash));
    }

    /** Same headers as a download, nothing packed. */
    Mono<ServerResponse> head(ServerRequest request) {
        return download(request);
    }
}
