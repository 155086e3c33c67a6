package io.zipflux.outbound;

/**
 * A URL, or an address it resolves to, that the outbound policy refuses; the message says why
 * ("scheme ftp is not allowed", "127.0.0.2 is a loopback address").
 */
public class OutboundRefusedException extends RuntimeException {

    public OutboundRefusedException(String reason) {
        super(reason, null, false, false);
    }

    /** The refusal behind {@code error} (Reactor Netty may wrap a resolver's failure), or null. */
    public static OutboundRefusedException in(Throwable error) {
        for (Throwable cause = error; cause != null; cause = cause.getCause()) {
            if (cause instanceof OutboundRefusedException refused) {
                return refused;
            }
        }
        return null;
    }
}
