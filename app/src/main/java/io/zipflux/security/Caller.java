package io.zipflux.security;

/**
 * Who makes a request: an API key's name or a token's subject, and whether it is an admin. Admins see
 * every job; a client sees the jobs it created.
 */
public record Caller(String name, boolean admin) {

    /** The caller of every request while {@code zipflux.security.enabled} is false: no one to tell apart. */
    static final Caller UNCHECKED = new Caller("anonymous", true);

    /** Whether this caller may see a job created by {@code owner} (null for jobs older than credentials). */
    public boolean sees(String owner) {
        return admin || name.equals(owner);
    }

    /** The owner a listing is limited to: none for an admin. */
    public String listedOwner() {
        return admin ? null : name;
    }

    /** Whether the per-client limit on active jobs applies (not with security off: everyone is one caller). */
    public boolean limited() {
        return this != UNCHECKED;
    }

    String role() {
        return admin ? ApiKey.ADMIN : ApiKey.CLIENT;
    }
}
