package io.zipflux.system;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import io.micrometer.context.ContextRegistry;
import io.micrometer.context.ThreadLocalAccessor;
import io.netty.channel.Channel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import reactor.core.publisher.Hooks;
import reactor.core.publisher.Mono;
import reactor.netty.Connection;

import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.http.server.reactive.ServerHttpRequestDecorator;
import org.springframework.stereotype.Component;
import org.springframework.web.ErrorResponse;
import org.springframework.web.util.DisconnectedClientHelper;

/**
 * Tells a client that went away (a download or an upload cut by the client) from a failure of the server, so that
 * it is one DEBUG line ({@code zipflux.client-aborts}) instead of an ERROR with a stack trace: a failure on an
 * exchange whose connection is closed, or one that says the peer left (reset, broken pipe, aborted). The
 * connection rides in the Reactor context of the request ({@link RequestIds}) and in a thread-local restored from
 * it, so that errors Reactor drops after a cut (it logs them as ERRORs by default) are told apart too.
 */
@Component
public class ClientAborts {

    private static final Logger log = LoggerFactory.getLogger("zipflux.client-aborts");

    /** Where Reactor itself writes dropped errors. */
    private static final Logger dropped = LoggerFactory.getLogger("reactor.core.publisher.Operators");

    /** Hooks.onErrorDropped adds to the hooks before it: installed once per JVM (tests start many contexts). */
    private static final AtomicBoolean HOOKED = new AtomicBoolean();

    /** The key of the request's connection in the Reactor context. */
    static final String CONNECTION = "zipflux.connection";

    private static final ThreadLocal<Channel> CURRENT = new ThreadLocal<>();

    /** How long after a failure its connection may take to be seen closed, for the failure to count as the client's. */
    private static final Duration GRACE = Duration.ofSeconds(1);

    ClientAborts() {
        ContextRegistry.getInstance().registerThreadLocalAccessor(new ConnectionAccessor());
        if (HOOKED.compareAndSet(false, true)) {
            Hooks.onErrorDropped(ClientAborts::onDropped);
        }
    }

    /**
     * Whether {@code error} on {@code request} means its client went away; if so, says it in one DEBUG line. A
     * failure the service did not foresee (not an {@link ErrorResponse}) on a connection still open is looked at
     * again when the connection closes, if it does within {@link #GRACE}: a cut body fails its reader a moment
     * before the connection is seen closed.
     */
    public static Mono<Boolean> wentAway(ServerHttpRequest request, Throwable error) {
        Channel channel = channelOf(request);
        if (gone(channel, error)) {
            return Mono.just(said(request, error));
        }
        if (channel == null || error instanceof ErrorResponse) {
            return Mono.just(false);
        }
        return Mono.<Boolean>create(sink -> channel.closeFuture().addListener(closed -> sink.success(true)))
                .timeout(GRACE, Mono.just(false))
                .map(closed -> closed && said(request, error));
    }

    private static boolean gone(Channel channel, Throwable error) {
        return (channel != null && !channel.isActive()) || DisconnectedClientHelper.isClientDisconnectedException(error);
    }

    private static boolean said(ServerHttpRequest request, Throwable error) {
        log.debug("Client went away during {} {}: {}", request.getMethod(), request.getPath(), error.toString());
        return true;
    }

    /** The connection of a request served by Reactor Netty; null for any other. */
    static Channel channelOf(ServerHttpRequest request) {
        Object ours = ServerHttpRequestDecorator.getNativeRequest(request);
        return ours instanceof Connection connection ? connection.channel() : null;
    }

    /**
     * Reactor's default (an ERROR with the stack trace), unless the error came from a request whose client left:
     * its connection is closed now, or within {@link #GRACE} (then the line is written when that is known).
     */
    private static void onDropped(Throwable error) {
        Channel channel = CURRENT.get();
        if (gone(channel, error)) {
            log.debug("After the client went away: {}", error.toString());
        }
        else if (channel == null) {
            dropped.error("Operator called default onErrorDropped", error);
        }
        else {
            Map<String, String> mdc = MDC.getCopyOfContextMap();
            channel.eventLoop().schedule(() -> droppedLater(channel, error, mdc), GRACE.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    private static void droppedLater(Channel channel, Throwable error, Map<String, String> mdc) {
        Map<String, String> before = MDC.getCopyOfContextMap();
        MDC.setContextMap(mdc == null ? Map.of() : mdc);
        try {
            if (channel.isActive()) {
                dropped.error("Operator called default onErrorDropped", error);
            }
            else {
                log.debug("After the client went away: {}", error.toString());
            }
        }
        finally {
            MDC.setContextMap(before == null ? Map.of() : before);
        }
    }

    /** The request's connection, between the Reactor context and {@link #CURRENT}. */
    private static final class ConnectionAccessor implements ThreadLocalAccessor<Channel> {

        @Override
        public Object key() {
            return CONNECTION;
        }

        @Override
        public Channel getValue() {
            return CURRENT.get();
        }

        @Override
        public void setValue(Channel value) {
            CURRENT.set(value);
        }

        @Override
        public void setValue() {
            CURRENT.remove();
        }
    }
}
