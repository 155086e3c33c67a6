package io.zipflux.archive;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;

import org.springframework.stereotype.Component;

/** Interim stand-in: no watching (replaced by the inotify watcher). */
@Component
class FolderChanges {

    boolean available() {
        return false;
    }

    Watch open() {
        throw new UnsupportedOperationException();
    }

    boolean catchUp(Duration timeout) {
        return false;
    }

    interface Watch {
        void add(Path directory) throws IOException;

        boolean changed();

        void close();
    }
}
