package io.zipflux.archive;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The files of one archive in a compact table (names in one UTF-8 array, sizes, times and identities in
 * primitive arrays): about 60 bytes per file, shared by every request for the same folder, so that a
 * million files fit a small heap. Immutable once built.
 */
final class FolderListing {

    private final Path folder;

    private final byte[] names;

    private final int[] nameEnds;

    private final long[] sizes;

    private final long[] modifiedNanos;

    private final long[] devices;

    private final long[] inodes;

    /** Files not at {@code folder/name}: symlink targets, or every file of a list given explicitly. */
    private final Map<Integer, Path> elsewhere;

    private FolderListing(Path folder, Builder builder, int[] order) {
        this.folder = folder;
        int count = order.length;
        this.nameEnds = new int[count];
        this.sizes = new long[count];
        this.modifiedNanos = new long[count];
        this.devices = new long[count];
        this.inodes = new long[count];
        this.elsewhere = new HashMap<>();
        int total = 0;
        for (int from : order) {
            total += builder.nameLength(from);
        }
        this.names = new byte[total];
        int end = 0;
        for (int i = 0; i < count; i++) {
            int from = order[i];
            int length = builder.nameLength(from);
            System.arraycopy(builder.names, builder.nameStart(from), names, end, length);
            end += length;
            nameEnds[i] = end;
            sizes[i] = builder.sizes[from];
            modifiedNanos[i] = builder.modifiedNanos[from];
            devices[i] = builder.devices[from];
            inodes[i] = builder.inodes[from];
            Path target = builder.elsewhere.get(from);
            if (target != null) {
                elsewhere.put(i, target);
            }
        }
    }

    /** The given entries in their order (URL archives: a manifest's files, wherever they are). */
    static FolderListing of(List<ArchiveEntry> entries) {
        Builder builder = new Builder();
        for (ArchiveEntry entry : entries) {
            builder.add(entry.name(), new FileIdentity(-1, -1, entry.size(),
                    TimeUnit.MILLISECONDS.toNanos(entry.lastModifiedMillis())), entry.file());
        }
        return builder.inOrder(Path.of(""));
    }

    int count() {
        return sizes.length;
    }

    String name(int index) {
        int start = index == 0 ? 0 : nameEnds[index - 1];
        return new String(names, start, nameEnds[index] - start, StandardCharsets.UTF_8);
    }

    /** Where the UTF-8 bytes of the name are: in {@link #names()} from this offset, {@link #nameLength} long. */
    int nameStart(int index) {
        return index == 0 ? 0 : nameEnds[index - 1];
    }

    /** All names, one after the other; read only. */
    byte[] names() {
        return names;
    }

    int nameLength(int index) {
        return nameEnds[index] - (index == 0 ? 0 : nameEnds[index - 1]);
    }

    long size(int index) {
        return sizes[index];
    }

    long modifiedMillis(int index) {
        return Math.floorDiv(modifiedNanos[index], 1_000_000L);
    }

    long inode(int index) {
        return inodes[index];
    }

    FileIdentity identity(int index) {
        return new FileIdentity(devices[index], inodes[index], sizes[index], modifiedNanos[index]);
    }

    /** Where the bytes of a file are read from. */
    Path file(int index) {
        Path target = elsewhere.get(index);
        return target != null ? target : folder.resolve(name(index));
    }

    ArchiveEntry entry(int index) {
        return new ArchiveEntry(name(index), file(index), size(index), modifiedMillis(index));
    }

    /** Collects files in any order; {@link #sorted} orders them by the bytes of their names. */
    static final class Builder {

        private byte[] names = new byte[4096];

        private int[] nameEnds = new int[64];

        private long[] sizes = new long[64];

        private long[] modifiedNanos = new long[64];

        private long[] devices = new long[64];

        private long[] inodes = new long[64];

        private final Map<Integer, Path> elsewhere = new HashMap<>();

        private int count;

        /** Adds a file; {@code target} is where to read it when not at folder/name (null: there). */
        void add(String name, FileIdentity identity, Path target) {
            byte[] bytes = name.getBytes(StandardCharsets.UTF_8);
            int start = count == 0 ? 0 : nameEnds[count - 1];
            if (count == sizes.length) {
                int capacity = count * 2;
                nameEnds = Arrays.copyOf(nameEnds, capacity);
                sizes = Arrays.copyOf(sizes, capacity);
                modifiedNanos = Arrays.copyOf(modifiedNanos, capacity);
                devices = Arrays.copyOf(devices, capacity);
                inodes = Arrays.copyOf(inodes, capacity);
            }
            if (start + bytes.length > names.length) {
                names = Arrays.copyOf(names, Math.max(names.length * 2, start + bytes.length));
            }
            System.arraycopy(bytes, 0, names, start, bytes.length);
            nameEnds[count] = start + bytes.length;
            sizes[count] = identity.size();
            modifiedNanos[count] = identity.modifiedNanos();
            devices[count] = identity.device();
            inodes[count] = identity.inode();
            if (target != null) {
                elsewhere.put(count, target);
            }
            count++;
        }

        private int nameStart(int index) {
            return index == 0 ? 0 : nameEnds[index - 1];
        }

        private int nameLength(int index) {
            return nameEnds[index] - nameStart(index);
        }

        FolderListing inOrder(Path folder) {
            int[] order = new int[count];
            Arrays.setAll(order, i -> i);
            return new FolderListing(folder, this, order);
        }

        /** Sorted by name, byte by byte (UTF-8 order is code point order), so every listing of a folder agrees. */
        FolderListing sorted(Path folder) {
            Integer[] order = new Integer[count];
            Arrays.setAll(order, i -> i);
            Arrays.sort(order, (a, b) -> Arrays.compareUnsigned(names, nameStart(a), nameEnds[a],
                    names, nameStart(b), nameEnds[b]));
            return new FolderListing(folder, this, Arrays.stream(order).mapToInt(Integer::intValue).toArray());
        }
    }
}
