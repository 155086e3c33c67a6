package io.zipflux.security;

import org.springframework.http.HttpStatus;
import org.springframework.web.ErrorResponseException;

/** The errors of credentials and key management; each becomes a problem+json response. */
final class AccessProblems {

    private AccessProblems() {
    }

    /** 400: a name that cannot be a key's, or an unknown role. */
    static final class BadKey extends ErrorResponseException {
        BadKey(String detail) {
            super(HttpStatus.BAD_REQUEST);
            getBody().setTitle("Bad key request");
            getBody().setDetail(detail);
        }
    }

    /** 409: another key has this name (revoked keys keep theirs). */
    static final class NameTaken extends ErrorResponseException {
        NameTaken(String name) {
            super(HttpStatus.CONFLICT);
            getBody().setTitle("Key name taken");
            getBody().setDetail("A key named '" + name + "' exists (revoked keys keep their names); choose another name.");
        }
    }

    /** 404: no key has this name. */
    static final class UnknownKey extends ErrorResponseException {
        UnknownKey(String name) {
            super(HttpStatus.NOT_FOUND);
            getBody().setTitle("Key not found");
            getBody().setDetail("No key is named '" + name + "'.");
        }
    }

    /** 503: the key table cannot be read, so no key can be checked. */
    static final class Unavailable extends ErrorResponseException {
        Unavailable(Throwable cause) {
            super(HttpStatus.SERVICE_UNAVAILABLE, cause);
            getBody().setTitle("Credentials cannot be checked");
            getBody().setDetail("The database holding the API keys cannot be reached right now. Try again shortly.");
            getHeaders().set("Retry-After", "5");
        }
    }

    /** 401: no credential, or one that is not valid; says how to authenticate (RFC 6750). */
    static final class Unauthorized extends ErrorResponseException {

        private static final String HOW = "send 'Authorization: Bearer <API key or token>'.";

        /** No credential at all. */
        static Unauthorized missing() {
            return new Unauthorized("This route needs a credential: " + HOW, false);
        }

        /** A credential of another scheme than Bearer. */
        static Unauthorized notBearer() {
            return new Unauthorized("Only bearer credentials are accepted: " + HOW, false);
        }

        Unauthorized(String detail, boolean tokenGiven) {
            super(HttpStatus.UNAUTHORIZED);
            getBody().setTitle("Credential needed");
            getBody().setDetail(detail);
            getHeaders().set("WWW-Authenticate", tokenGiven
                    ? "Bearer error=\"invalid_token\", error_description=\"" + detail.replace("\"", "'") + "\""
                    : "Bearer");
        }
    }

    /** 403: the credential is valid but its role does not allow the route. */
    static final class Forbidden extends ErrorResponseException {

        /** A client's credential on a route for admins. */
        static Forbidden adminsOnly() {
            return new Forbidden("This route is for admins; the credential is a client's.");
        }

        Forbidden(String detail) {
            super(HttpStatus.FORBIDDEN);
            getBody().setTitle("Not allowed");
            getBody().setDetail(detail);
        }
    }

    /**
     * 404: a URL the request firewall refuses (an encoded '.', '/', '\\' or '%', a ';', '..', a NUL or another
     * control character): no route of zipflux has such a URL, and nothing outside the photos folder is ever served.
     */
    static final class RefusedUrl extends ErrorResponseException {
        RefusedUrl() {
            super(HttpStatus.NOT_FOUND);
            getBody().setTitle("Not found");
            getBody().setDetail("Nothing is served at this URL: it holds an encoded or doubled separator, '..', ';' "
                    + "or a control character.");
        }
    }

    /** 503: the identity provider's keys (JWKS) cannot be fetched, so no token can be checked. */
    static final class ProviderUnavailable extends ErrorResponseException {
        ProviderUnavailable(Throwable cause) {
            super(HttpStatus.SERVICE_UNAVAILABLE, cause);
            getBody().setTitle("Tokens cannot be checked");
            getBody().setDetail("The identity provider's signing keys cannot be fetched right now. Try again shortly.");
            getHeaders().set("Retry-After", "5");
        }
    }
}
