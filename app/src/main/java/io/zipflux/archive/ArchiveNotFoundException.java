package io.zipflux.archive;

import org.springframework.http.HttpStatus;
import org.springframework.web.ErrorResponseException;

/** No archive for this hash: the folder is missing, or the hash is not a valid folder name. */
class ArchiveNotFoundException extends ErrorResponseException {

    ArchiveNotFoundException(String hash) {
        super(HttpStatus.NOT_FOUND);
        getBody().setTitle("Archive not found");
        getBody().setDetail("No archive exists for '" + printable(hash) + "'; check the link you were given.");
    }

    /** At most 64 characters of user input, control characters replaced, for a problem detail. */
    static String printable(String hash) {
        String shown = hash.length() > 64 ? hash.substring(0, 64) + "…" : hash;
        return shown.replaceAll("\\p{Cntrl}", "?");
    }
}
