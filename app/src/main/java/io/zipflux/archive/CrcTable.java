package io.zipflux.archive;

/**
 * A bounded map from {@link FileIdentity} to CRC-32 in primitive arrays (4.7 MB for 100,000 entries),
 * evicting with the clock algorithm; not thread-safe (its owner locks).
 */
final class CrcTable {

    /** Longs of key per entry: device, inode, size, modifiedNanos. */
    private static final int KEY = 4;

    /** Answered by {@link #get} for an identity it does not hold; every CRC-32 is in 0..2^32-1. */
    static final long ABSENT = -1;

    private final int capacity;

    private final long[] keys;

    private final int[] crcs;

    private final boolean[] referenced;

    /** Open addressing with linear probing: entry index + 1, 0 for a free slot; at most half full. */
    private final int[] slots;

    private final int mask;

    private int size;

    /** The clock's hand: the next entry considered for eviction, the oldest one not used since. */
    private int hand;

    private long changes;

    /** One entry, in {@link #forEachOldestFirst}. */
    interface Visitor {
        void visit(FileIdentity id, int crc);
    }

    CrcTable(int capacity) {
        this.capacity = Math.max(0, capacity);
        this.keys = new long[this.capacity * KEY];
        this.crcs = new int[this.capacity];
        this.referenced = new boolean[this.capacity];
        this.slots = new int[Integer.highestOneBit(Math.max(1, this.capacity) * 2 - 1) * 2];
        this.mask = slots.length - 1;
    }

    int size() {
        return size;
    }

    /** Counts the puts that changed the table, so its owner saves only when there is something new. */
    long changes() {
        return changes;
    }

    /** The CRC (unsigned), or {@link #ABSENT}; an entry found is spared by the next turn of the clock. */
    long get(FileIdentity id) {
        int slot = find(id);
        if (slots[slot] == 0) {
            return ABSENT;
        }
        int entry = slots[slot] - 1;
        referenced[entry] = true;
        return Integer.toUnsignedLong(crcs[entry]);
    }

    void put(FileIdentity id, int crc) {
        if (capacity == 0) {
            return;
        }
        int slot = find(id);
        if (slots[slot] != 0) {
            int entry = slots[slot] - 1;
            if (crcs[entry] != crc) {
                crcs[entry] = crc;
                changes++;
            }
            return;
        }
        int entry = size < capacity ? size++ : evict();
        int base = entry * KEY;
        keys[base] = id.device();
        keys[base + 1] = id.inode();
        keys[base + 2] = id.size();
        keys[base + 3] = id.modifiedNanos();
        crcs[entry] = crc;
        referenced[entry] = false;
        slots[find(id)] = entry + 1;
        changes++;
    }

    /** From the entry the clock would evict first to the newest: the order that keeps recency when loaded back. */
    void forEachOldestFirst(Visitor visitor) {
        for (int i = 0; i < size; i++) {
            int entry = (hand + i) % size;
            int base = entry * KEY;
            visitor.visit(new FileIdentity(keys[base], keys[base + 1], keys[base + 2], keys[base + 3]), crcs[entry]);
        }
    }

    /** The slot holding {@code id}, or the free slot where it would go. */
    private int find(FileIdentity id) {
        int slot = home(id.device(), id.inode(), id.size(), id.modifiedNanos());
        while (slots[slot] != 0 && !holds(slots[slot] - 1, id)) {
            slot = (slot + 1) & mask;
        }
        return slot;
    }

    private boolean holds(int entry, FileIdentity id) {
        int base = entry * KEY;
        return keys[base] == id.device() && keys[base + 1] == id.inode()
                && keys[base + 2] == id.size() && keys[base + 3] == id.modifiedNanos();
    }

    /** Frees the first entry the hand finds unused since its last turn, and answers its index. */
    private int evict() {
        while (referenced[hand]) {
            referenced[hand] = false;
            hand = (hand + 1) % capacity;
        }
        int victim = hand;
        hand = (hand + 1) % capacity;
        unlink(victim);
        return victim;
    }

    /** Removes the entry's slot, shifting later slots of the probe run back so none becomes unreachable. */
    private void unlink(int entry) {
        int free = homeOf(entry);
        while (slots[free] != entry + 1) {
            free = (free + 1) & mask;
        }
        for (int next = (free + 1) & mask; slots[next] != 0; next = (next + 1) & mask) {
            int home = homeOf(slots[next] - 1);
            boolean reachable = free <= next ? free < home && home <= next : free < home || home <= next;
            if (!reachable) {
                slots[free] = slots[next];
                free = next;
            }
        }
        slots[free] = 0;
    }

    private int homeOf(int entry) {
        int base = entry * KEY;
        return home(keys[base], keys[base + 1], keys[base + 2], keys[base + 3]);
    }

    private int home(long device, long inode, long size, long modifiedNanos) {
        long hash = mix(mix(mix(mix(device) ^ inode) ^ size) ^ modifiedNanos);
        return (int) hash & mask;
    }

    /** MurmurHash3's 64-bit finalizer: spreads sequential inodes and sizes over the slots. */
    private static long mix(long value) {
        long h = value;
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        h *= 0xc4ceb9fe1a85ec53L;
        h ^= h >>> 33;
        return h;
    }
}
