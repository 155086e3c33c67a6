package io.zipflux.archive;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;

import static java.nio.file.StandardWatchEventKinds.ENTRY_CREATE;
import static java.nio.file.StandardWatchEventKinds.ENTRY_DELETE;
import static java.nio.file.StandardWatchEventKinds.ENTRY_MODIFY;
import static java.nio.file.StandardWatchEventKinds.OVERFLOW;

/** Tells, exactly and cheaply, whether any directory a folder listing read has changed since (Linux inotify). */
@Component
class FolderChanges implements DisposableBean {

    /** One listing's set of watched directories; changed once anything in any of them changed. */
    interface Watch {
        /** Call before reading the directory's entries, so that no change after the read can be missed. */
        void add(Path directory) throws IOException;

        boolean changed();

        void close();
    }

    private static final Logger log = LoggerFactory.getLogger(FolderChanges.class);

    private static final WatchEvent.Kind<?>[] KINDS = {ENTRY_CREATE, ENTRY_DELETE, ENTRY_MODIFY};

    // Keys are only ever taken from the service under this lock, and every key taken is reset before it
    // is released: outside it no key is held half-processed.
    private final ReentrantLock lock = new ReentrantLock();

    private final Map<WatchKey, Set<Session>> watches = new HashMap<>();

    private WatchService service;

    private Marker marker;

    private volatile boolean available;

    private volatile long barriersStarted;

    private volatile long lastBarrierPassed;

    @Autowired
    FolderChanges(ArchiveProperties properties) {
        this(properties.layoutCacheFiles() > 0);
    }

    FolderChanges(boolean enabled) {
        if (!enabled) {
            return;
        }
        try {
            service = FileSystems.getDefault().newWatchService();
            // The polling service (macOS, others) reports changes seconds late: its answers prove nothing.
            if (!service.getClass().getName().equals("sun.nio.fs.LinuxWatchService")) {
                throw new IOException("no inotify: " + service.getClass().getName());
            }
            marker = new Marker(service);
            available = true;
        } catch (IOException | RuntimeException e) {
            log.warn("Folder change watching is off, layouts will not be cached: {}", e.toString());
            destroy();
        }
    }

    boolean available() {
        return available;
    }

    /** A new watch; when unavailable, one that is changed from the start. */
    Watch open() {
        return new Session(!available);
    }

    /**
     * True once every change made to a watched directory before this call has marked its watches changed;
     * false if that could not be proved within {@code timeout} (then trust no watch's "unchanged").
     */
    boolean catchUp(Duration timeout) {
        long arrival = barriersStarted;
        long deadline = System.nanoTime() + timeout.toNanos();
        try {
            if (!available || !lock.tryLock(timeout.toNanos(), TimeUnit.NANOSECONDS)) {
                return false;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
        try {
            if (lastBarrierPassed > arrival) {
                return true; // a barrier whose marker was written after we arrived has passed: it covers us too
            }
            long barrier = ++barriersStarted;
            if (!available || !barrier(deadline)) {
                return false;
            }
            lastBarrierPassed = barrier;
            return true;
        } catch (IOException | ClosedWatchServiceException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } finally {
            lock.unlock();
        }
    }

    // Why this is exact: a change's inotify event is queued by the kernel before the changing call returns,
    // so ahead of our later marker write's event; one inotify descriptor reads out in FIFO order and the
    // JDK's single poller thread handles events in that order. So once we see the marker's event, every
    // earlier event has been added to its key, and that key was signalled: it is either in the service's
    // queue or already taken by us. Only a reset makes a key ready (unqueued) again, and we reset none but
    // the marker's key until the end, so draining the queue now collects every key with an earlier event.
    // The drain ends: each key is taken at most once, as none is reset before we are done.
    private boolean barrier(long deadline) throws IOException, InterruptedException {
        marker.write();
        List<WatchKey> taken = new ArrayList<>();
        try {
            if (!awaitMarker(deadline, taken)) {
                marker.renew();
                return false;
            }
            for (WatchKey key = service.poll(); key != null; key = service.poll()) {
                taken.add(key);
            }
            return true;
        } finally {
            taken.forEach(this::deliver);
        }
    }

    private boolean awaitMarker(long deadline, List<WatchKey> taken) throws IOException, InterruptedException {
        while (true) {
            WatchKey key = service.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
            if (key == null) {
                return false;
            }
            if (key != marker.key) {
                taken.add(key);
                continue;
            }
            List<WatchEvent<?>> events = key.pollEvents();
            if (events.stream().anyMatch(event -> event.kind() == OVERFLOW)) {
                // The kernel dropped events, maybe our marker's: every watch is told, so all are covered.
                key.reset();
                markAll();
                marker.renew();
                return true;
            }
            if (marker.writtenIn(events)) {
                taken.add(key); // held until the end like the others, so the drain cannot meet it again
                return true;
            }
            key.reset(); // to be queued again when our write's event comes
        }
    }

    private void deliver(WatchKey key) {
        List<WatchEvent<?>> events = key.pollEvents();
        if (events.stream().anyMatch(event -> event.kind() == OVERFLOW)) {
            markAll();
        }
        if (!events.isEmpty() || !key.isValid()) {
            watches.getOrDefault(key, Set.of()).forEach(Session::markChanged);
        }
        if (!key.reset()) {
            watches.remove(key); // the directory is gone (or the key was cancelled): the kernel dropped the watch
        }
    }

    private void markAll() {
        watches.values().forEach(sessions -> sessions.forEach(Session::markChanged));
    }

    /** Number of directory keys some open watch still uses. */
    int liveKeys() {
        lock.lock();
        try {
            return watches.size();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void destroy() {
        lock.lock();
        try {
            available = false;
            if (service != null) {
                service.close();
            }
            if (marker != null) {
                marker.delete();
            }
        } catch (IOException e) {
            log.warn("Could not remove the folder change marker: {}", e.toString());
        } finally {
            lock.unlock();
        }
    }

    /** A private file whose write, once its event comes back, proves every earlier event has come back. */
    private static final class Marker {

        private final Path dir;

        private final WatchKey key;

        private final ByteBuffer oneByte = ByteBuffer.allocateDirect(1);

        private Path file;

        private FileChannel channel;

        private int generation;

        Marker(WatchService service) throws IOException {
            dir = Files.createTempDirectory("zipflux-folder-changes-");
            key = dir.register(service, KINDS);
            renew();
        }

        // One positional write: a single syscall, an IN_MODIFY event.
        void write() throws IOException {
            channel.write(oneByte.clear(), 0);
        }

        // Only a write of the current file, not its creation: each barrier consumes its own write's event,
        // so none is left over for the next barrier to take for its own.
        boolean writtenIn(List<WatchEvent<?>> events) {
            return events.stream()
                    .anyMatch(event -> event.kind() == ENTRY_MODIFY && file.getFileName().equals(event.context()));
        }

        // A new name after a barrier that did not see its write: that write's late event must not pass a later one.
        void renew() throws IOException {
            Path old = file;
            file = dir.resolve("marker-" + generation++);
            FileChannel previous = channel;
            channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            if (previous != null) {
                previous.close();
                Files.deleteIfExists(old);
            }
        }

        void delete() throws IOException {
            channel.close();
            Files.deleteIfExists(file);
            Files.deleteIfExists(dir);
        }
    }

    private final class Session implements Watch {

        private final Set<WatchKey> keys = new HashSet<>();

        private volatile boolean changed;

        private boolean closed;

        Session(boolean changed) {
            this.changed = changed;
        }

        @Override
        public void add(Path directory) throws IOException {
            if (changed) {
                return; // nothing to learn any more (or nothing to watch with)
            }
            lock.lock();
            try {
                if (closed) {
                    throw new IllegalStateException("Watch closed");
                }
                // The same directory gives the same key to every watch that adds it.
                WatchKey key = directory.register(service, KINDS);
                watches.computeIfAbsent(key, k -> new HashSet<>()).add(this);
                keys.add(key);
            } catch (ClosedWatchServiceException e) {
                throw new IOException("Folder change watching has stopped", e);
            } finally {
                lock.unlock();
            }
        }

        @Override
        public boolean changed() {
            return changed;
        }

        void markChanged() {
            changed = true;
        }

        // One key per lock hold: cancelling is a round trip to the poller thread, and a big folder's many
        // keys must not hold barriers up all at once.
        @Override
        public void close() {
            List<WatchKey> mine;
            lock.lock();
            try {
                closed = true;
                mine = List.copyOf(keys);
                keys.clear();
            } finally {
                lock.unlock();
            }
            for (WatchKey key : mine) {
                lock.lock();
                try {
                    Set<Session> sessions = watches.get(key);
                    if (sessions != null && sessions.remove(this) && sessions.isEmpty()) {
                        watches.remove(key);
                        key.cancel();
                    }
                } finally {
                    lock.unlock();
                }
            }
        }
    }
}
