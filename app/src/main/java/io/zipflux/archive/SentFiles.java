package io.zipflux.archive;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.attribute.BasicFileAttributes;

import reactor.core.publisher.Mono;

import org.springframework.stereotype.Component;

/**
 * Proves that the files a response sent are still as listed, before its last byte goes out: with file
 * data sent by {@code sendfile} and CRCs read or cached apart from it, a file rewritten mid-stream would
 * otherwise end in a complete archive whose bytes and CRCs disagree. A watched layout proves it with one
 * barrier; otherwise each file sent is looked at again.
 */
@Component
class SentFiles {

    private final FileIo fileIo;

    SentFiles(FileIo fileIo) {
        this.fileIo = fileIo;
    }

    /** Completes when entries {@code from} to {@code to} (exclusive) are unchanged; else fails with an IOException. */
    Mono<Void> unchanged(ServedLayout served, int from, int to) {
        return Mono.fromCallable(() -> {
                    if (!served.validity().provedUnchanged()) {
                        check(served.layout().listing(), from, to);
                    }
                    return true;
                })
                .subscribeOn(fileIo.scheduler())
                .then();
    }

    private static void check(FolderListing listing, int from, int to) throws IOException {
        for (int entry = from; entry < to; entry++) {
            BasicFileAttributes now;
            try {
                now = Files.readAttributes(listing.file(entry), BasicFileAttributes.class);
            }
            catch (NoSuchFileException ex) {
                throw changed(listing, entry);
            }
            if (!listing.identity(entry).sameFile(FileIdentity.of(now))) {
                throw changed(listing, entry);
            }
        }
    }

    private static IOException changed(FolderListing listing, int entry) {
        return new IOException(listing.file(entry) + " changed while it was being sent");
    }
}
