package io.zipflux.job.urlarchive;

import org.springframework.http.HttpStatus;
import org.springframework.web.ErrorResponseException;

/** 400: an archive request that cannot be accepted; says which entry (when one is to blame) and why. */
final class BadArchiveRequest extends ErrorResponseException {

    private BadArchiveRequest(String detail) {
        super(HttpStatus.BAD_REQUEST);
        getBody().setTitle("Bad archive request");
        getBody().setDetail(detail);
    }

    static BadArchiveRequest of(String detail) {
        return new BadArchiveRequest(detail);
    }

    /** The entry at {@code index} (0-based, as in the request) is wrong; {@code url} may be null. */
    static BadArchiveRequest entry(int index, String url, String reason) {
        BadArchiveRequest bad = new BadArchiveRequest("entries[" + index + "]" + (url == null ? "" : " (" + url + ")")
                + ": " + reason);
        bad.getBody().setProperty("entry", index);
        return bad;
    }
}
