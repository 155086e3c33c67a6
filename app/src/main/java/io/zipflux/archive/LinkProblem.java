package io.zipflux.archive;

import org.springframework.http.HttpStatus;
import org.springframework.web.ErrorResponseException;

/** The refusals of signed links: a missing or wrong signature, an expired link, a bad link request, signing off. */
final class LinkProblem extends ErrorResponseException {

    private LinkProblem(HttpStatus status, String title, String detail) {
        super(status);
        getBody().setTitle(title);
        getBody().setDetail(detail);
    }

    /** 403: no signature, a malformed one, or one that does not match the hash and expiry. */
    static LinkProblem forbidden() {
        return new LinkProblem(HttpStatus.FORBIDDEN, "Link not signed",
                "This archive needs a signed link (?expires=…&signature=…); the one given is missing or wrong.");
    }

    /** 410: a correctly signed link whose time is over. */
    static LinkProblem expired() {
        return new LinkProblem(HttpStatus.GONE, "Link expired",
                "This download link has expired; ask for a new one.");
    }

    /** 400: a link request that cannot be signed as asked. */
    static LinkProblem badRequest(String detail) {
        return new LinkProblem(HttpStatus.BAD_REQUEST, "Bad link request", detail);
    }

    /** 409: this server has no link secret, so it neither signs nor checks links. */
    static LinkProblem signingOff() {
        return new LinkProblem(HttpStatus.CONFLICT, "Link signing is off",
                "This server signs no links: zipflux.archive.link-secret is not set, and archives are open without one.");
    }
}
