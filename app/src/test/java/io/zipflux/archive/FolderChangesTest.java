package io.zipflux.archive;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Each kind of change, made with no pause before {@code catchUp()}, marks the watch over the changed tree
 * and leaves the watch over an untouched tree alone, round after round.
 */
class FolderChangesTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private static final int ROUNDS = 200;

    /** One round's step, given the round's number so that names can differ from round to round. */
    private interface Step {
        void run(int round) throws IOException;
    }

    @TempDir
    Path temp;

    private FolderChanges changes;

    private Path root;

    private Path sub;

    private Path outside;

    private Path control;

    private List<FolderChanges.Watch> keepers;

    private Path replacement;

    @BeforeEach
    void createTrees() throws IOException {
        changes = new FolderChanges(true);
        assertThat(changes.available()).isTrue();
        root = temp.resolve("folder");
        sub = Files.createDirectories(root.resolve("sub"));
        write(root.resolve("a.jpg"), "aaaa");
        write(sub.resolve("b.jpg"), "bbbb");
        outside = Files.createDirectories(temp.resolve("outside"));
        write(outside.resolve("target.jpg"), "tttt");
        Files.createSymbolicLink(root.resolve("link.jpg"), outside.resolve("target.jpg"));
        control = temp.resolve("control");
        write(Files.createDirectories(control.resolve("sub")).resolve("c.jpg"), "cccc");
        // Long-lived watches, as cache entries are: each round's watch then shares their keys.
        keepers = List.of(watch(root, outside), watch(control));
    }

    @AfterEach
    void stop() {
        keepers.forEach(FolderChanges.Watch::close);
        changes.destroy();
    }

    @Test
    void fileAdded() throws Exception {
        everyRound(round -> { }, round -> write(root.resolve("added-" + round), "new"));
    }

    @Test
    void fileRemoved() throws Exception {
        everyRound(round -> write(root.resolve("removed-" + round), "old"),
                round -> Files.delete(root.resolve("removed-" + round)));
    }

    @Test
    void fileRewrittenInPlaceSameSize() throws Exception {
        everyRound(round -> { }, round -> rewrite(root.resolve("a.jpg"), round % 2 == 0 ? "AAAA" : "aaaa"));
    }

    @Test
    void fileAppended() throws Exception {
        everyRound(round -> { }, round -> Files.writeString(root.resolve("a.jpg"), "+", StandardOpenOption.APPEND));
    }

    @Test
    void fileTouched() throws Exception {
        everyRound(round -> { }, round -> Files.setLastModifiedTime(root.resolve("a.jpg"),
                FileTime.fromMillis(1_000_000_000_000L + round * 1000L)));
    }

    @Test
    void fileRenamedInside() throws Exception {
        everyRound(round -> { }, round -> flip(root.resolve("a.jpg"), root.resolve("renamed.jpg"), round));
    }

    @Test
    void subFolderRenamed() throws Exception {
        everyRound(round -> { }, round -> flip(sub, root.resolve("renamed-sub"), round));
    }

    @Test
    void fileAddedInSubFolder() throws Exception {
        everyRound(round -> { }, round -> write(sub.resolve("added-" + round), "new"));
    }

    @Test
    void subFolderCreated() throws Exception {
        everyRound(round -> Files.deleteIfExists(root.resolve("created-" + (round - 1))),
                round -> Files.createDirectory(root.resolve("created-" + round)));
    }

    @Test
    void subFolderDeleted() throws Exception {
        everyRound(round -> Files.createDirectory(root.resolve("deleted-" + round)),
                round -> Files.delete(root.resolve("deleted-" + round)));
    }

    @Test
    void fileReplacedByAtomicRename() throws Exception {
        Path staging = Files.createDirectory(temp.resolve("staging")); // same file system, not watched
        everyRound(round -> write(staging.resolve("staged-" + round), "AAAA"),
                round -> Files.move(staging.resolve("staged-" + round), root.resolve("a.jpg"),
                        StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING));
    }

    @Test
    void symlinkTargetRewritten() throws Exception {
        everyRound(round -> { }, round -> rewrite(outside.resolve("target.jpg"), round % 2 == 0 ? "TTTT" : "tttt"));
    }

    // inotify follows the directory, not its path: the folder itself renamed away and another renamed into
    // its place shows only in its parent, so the listing adds that too.
    @Test
    void folderReplacedByRenameIsSeenThroughItsParent() throws Exception {
        replacement = Files.createDirectories(temp.resolve("replacement"));
        everyRound(round -> { }, round -> {
            Path away = temp.resolve("away-" + round);
            Files.move(root, away);
            Files.move(replacement, root);
            replacement = away;
        }, root.getParent());
    }

    @Test
    void watchedDirectoryDeletedMarksWatchWithoutItsParent() throws Exception {
        for (int round = 0; round < ROUNDS; round++) {
            Path gone = Files.createDirectory(root.resolve("gone-" + round));
            FolderChanges.Watch watch = watch(gone);
            Files.delete(gone);
            assertThat(changes.catchUp(TIMEOUT)).isTrue();
            assertThat(watch.changed()).as("round %d", round).isTrue();
            watch.close();
        }
    }

    @Test
    void firstCatchUpOfANewInstanceSeesAChangeMadeJustBefore() throws Exception {
        for (int round = 0; round < 50; round++) {
            FolderChanges fresh = new FolderChanges(true);
            try {
                FolderChanges.Watch watch = fresh.open();
                watch.add(root);
                FolderChanges.Watch untouched = fresh.open();
                untouched.add(control);
                write(root.resolve("first-" + round), "new");
                assertThat(fresh.catchUp(TIMEOUT)).isTrue();
                assertThat(watch.changed()).as("round %d", round).isTrue();
                assertThat(untouched.changed()).as("round %d", round).isFalse();
            } finally {
                fresh.destroy();
            }
        }
    }

    @Test
    void concurrentCallersEachSeeTheirOwnChange() throws Exception {
        ExecutorService callers = Executors.newFixedThreadPool(4);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int caller = 0; caller < 4; caller++) {
                Path own = Files.createDirectory(temp.resolve("caller-" + caller));
                done.add(callers.submit(() -> {
                    for (int round = 0; round < ROUNDS; round++) {
                        FolderChanges.Watch watch = watch(own);
                        write(own.resolve("f-" + round), "new");
                        assertThat(changes.catchUp(TIMEOUT)).isTrue();
                        assertThat(watch.changed()).as("%s round %d", own, round).isTrue();
                        watch.close();
                    }
                    return null;
                }));
            }
            FolderChanges.Watch untouched = watch(control);
            for (Future<?> caller : done) {
                caller.get(1, TimeUnit.MINUTES);
            }
            assertThat(changes.catchUp(TIMEOUT)).isTrue();
            assertThat(untouched.changed()).isFalse();
        } finally {
            callers.shutdownNow();
        }
    }

    @Test
    void watchesSharingADirectoryAreBothMarkedAndOutliveEachOther() throws Exception {
        FolderChanges.Watch first = watch(control);
        FolderChanges.Watch second = watch(control);
        write(control.resolve("one"), "1");
        assertThat(changes.catchUp(TIMEOUT)).isTrue();
        assertThat(first.changed()).isTrue();
        assertThat(second.changed()).isTrue();

        FolderChanges.Watch third = watch(control);
        FolderChanges.Watch fourth = watch(control);
        third.close();
        assertThat(changes.catchUp(TIMEOUT)).isTrue();
        assertThat(fourth.changed()).as("nothing changed since it was opened").isFalse();
        write(control.resolve("sub").resolve("two"), "2");
        assertThat(changes.catchUp(TIMEOUT)).isTrue();
        assertThat(fourth.changed()).as("still watching after the other closed").isTrue();
    }

    @Test
    void closingCancelsKeysNoWatchUses() throws Exception {
        int kept = changes.liveKeys(); // the keepers' five directories
        Path other = Files.createDirectories(temp.resolve("other").resolve("inner"));
        FolderChanges.Watch first = watch(other.getParent(), control);
        FolderChanges.Watch second = watch(other.getParent());
        assertThat(changes.liveKeys()).isEqualTo(kept + 2);
        first.close();
        assertThat(changes.liveKeys()).isEqualTo(kept + 2);
        second.close();
        assertThat(changes.liveKeys()).isEqualTo(kept);
    }

    @Test
    void disabledIsUnavailableAndProvesNothing() throws Exception {
        FolderChanges disabled = new FolderChanges(false);
        assertThat(disabled.available()).isFalse();
        assertThat(disabled.catchUp(TIMEOUT)).isFalse();
        FolderChanges.Watch watch = disabled.open();
        watch.add(root);
        assertThat(watch.changed()).isTrue();
    }

    @Test
    void destroyedProvesNothing() {
        changes.destroy();
        assertThat(changes.available()).isFalse();
        assertThat(changes.catchUp(TIMEOUT)).isFalse();
    }

    /**
     * Each round: prepare, settle, open a watch over the tree and one over the untouched control tree,
     * change, catch up at once; the first must be changed, the second not.
     */
    private void everyRound(Step prepare, Step change, Path... alsoWatched) throws Exception {
        for (int round = 0; round < ROUNDS; round++) {
            prepare.run(round);
            assertThat(changes.catchUp(TIMEOUT)).isTrue();
            FolderChanges.Watch watch = watch(root, outside);
            for (Path directory : alsoWatched) {
                watch.add(directory);
            }
            FolderChanges.Watch untouched = watch(control);
            change.run(round);
            assertThat(changes.catchUp(TIMEOUT)).isTrue();
            assertThat(watch.changed()).as("changed tree, round %d", round).isTrue();
            assertThat(untouched.changed()).as("untouched tree, round %d", round).isFalse();
            watch.close();
            untouched.close();
        }
    }

    private FolderChanges.Watch watch(Path... tops) throws IOException {
        FolderChanges.Watch watch = changes.open();
        for (Path top : tops) {
            try (Stream<Path> paths = Files.walk(top)) {
                for (Path directory : paths.filter(Files::isDirectory).toList()) {
                    watch.add(directory);
                }
            }
        }
        return watch;
    }

    private static void flip(Path one, Path other, int round) throws IOException {
        if (round % 2 == 0) {
            Files.move(one, other);
        } else {
            Files.move(other, one);
        }
    }

    private static void write(Path file, String text) throws IOException {
        Files.writeString(file, text);
    }

    private static void rewrite(Path file, String sameSizeText) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
            channel.write(ByteBuffer.wrap(sameSizeText.getBytes(StandardCharsets.US_ASCII)), 0);
        }
    }
}
