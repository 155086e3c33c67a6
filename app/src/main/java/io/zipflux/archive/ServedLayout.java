package io.zipflux.archive;

/**
 * A layout as one request serves it, with how to prove that its files are still as listed.
 *
 * @param layout the archive's layout
 * @param validity answers (blocking allowed: it runs on the file pool) whether nothing in the folder can
 *                 have changed since the listing; {@code false} when it cannot tell, and the files are then
 *                 checked one by one
 */
record ServedLayout(StoreLayout layout, Validity validity) {

    /** Whether a listing is proved still true, cheaply; {@code false} means "check the files". */
    interface Validity {
        boolean provedUnchanged();
    }

    /** A layout nothing watches: its files are checked one by one. */
    static ServedLayout unwatched(StoreLayout layout) {
        return new ServedLayout(layout, () -> false);
    }
}
