package io.zipflux.job.urlarchive;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.TimeoutException;

import reactor.netty.channel.AbortedException;

import io.zipflux.outbound.OutboundRefusedException;
import io.zipflux.system.PublicErrors;

/** How a transfer can go wrong: for the moment (tried again), or for good (the entry fails). */
final class FetchErrors {

    private FetchErrors() {
    }

    /** The entry cannot be fetched; tried no more. */
    static final class EntryFailed extends RuntimeException {
        EntryFailed(String message) {
            super(message, null, false, false);
        }
    }

    /** Worth another attempt, after {@code retryAfter} if the origin said so (null: the backoff decides). */
    static final class Transient extends RuntimeException {

        private final transient Duration retryAfter;

        Transient(String message, Duration retryAfter) {
            super(message, null, false, false);
            this.retryAfter = retryAfter;
        }

        Duration retryAfter() {
            return retryAfter;
        }
    }

    /** Network trouble and answers an origin may give differently next time (a reset, a timeout, a 503). */
    static boolean isTransient(Throwable error) {
        return OutboundRefusedException.in(error) == null && (error instanceof Transient || error instanceof IOException
                || error instanceof TimeoutException || error instanceof io.netty.handler.timeout.TimeoutException
                || error instanceof AbortedException || error instanceof io.netty.handler.codec.DecoderException);
    }

    /** What a person reads about an error. */
    static String describe(Throwable error) {
        OutboundRefusedException refused = OutboundRefusedException.in(error);
        if (refused != null) {
            return "refused: " + refused.getMessage();
        }
        return PublicErrors.describe(error);
    }
}
