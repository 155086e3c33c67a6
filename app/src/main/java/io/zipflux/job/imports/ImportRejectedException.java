package io.zipflux.job.imports;

/** The CSV cannot be imported; the message names the line and what is wrong with it. */
class ImportRejectedException extends RuntimeException {

    ImportRejectedException(String message) {
        super(message, null, false, false);
    }
}
