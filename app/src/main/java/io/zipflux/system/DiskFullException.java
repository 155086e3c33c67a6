package io.zipflux.system;

import java.io.IOException;

import org.springframework.http.HttpStatus;
import org.springframework.web.ErrorResponseException;

/**
 * 507: the data disk ({@code zipflux.data-dir}) has no space left for a resource being written (an upload, an
 * export, a fetched archive); what was written of it is removed. The same text is a job's error.
 */
public final class DiskFullException extends ErrorResponseException {

    /** What the operating system says of ENOSPC and EDQUOT (Java keeps no errno). */
    private static final String[] DISK_FULL = {"No space left on device", "Disk quota exceeded"};

    private final String detail;

    /** {@code resource} names what was being written ("upload photos.zip", "export 1b4e..."). */
    public DiskFullException(String resource, Throwable cause) {
        super(HttpStatus.INSUFFICIENT_STORAGE, cause);
        this.detail = "no space left on the data disk for " + resource + "; nothing of it was kept";
        getBody().setTitle("Data disk full");
        getBody().setDetail(detail);
    }

    /** The text a client reads (a job's error), not the status and body that {@link ErrorResponseException} shows. */
    @Override
    public String getMessage() {
        return detail;
    }

    /** Whether {@code error} or a cause of it says the disk is full. */
    public static boolean isDiskFull(Throwable error) {
        for (Throwable cause = error; cause != null; cause = cause.getCause()) {
            if (cause instanceof DiskFullException) {
                return true;
            }
            if (cause instanceof IOException && cause.getMessage() != null) {
                for (String text : DISK_FULL) {
                    if (cause.getMessage().contains(text)) {
                        return true;
                    }
                }
            }
        }
        return false;
    }

    /** {@code error} as a 507 for {@code resource} when the disk is full, else as it is. */
    public static Throwable explain(Throwable error, String resource) {
        if (error instanceof DiskFullException || !isDiskFull(error)) {
            return error;
        }
        return new DiskFullException(resource, error);
    }
}
