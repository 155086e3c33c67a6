package io.zipflux.system;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import io.netty.channel.Channel;
import io.netty.channel.epoll.EpollChannelOption;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.netty.NettyPipeline;
import reactor.netty.http.server.HttpServer;

import org.springframework.boot.autoconfigure.web.ServerProperties;
import org.springframework.boot.web.embedded.netty.NettyServerCustomizer;
import org.springframework.stereotype.Component;

/**
 * What a connection may hold: past {@code zipflux.http.max-connections} open ones a new connection is
 * closed on accept (the server keeps answering those it has, and keeps descriptors for its files and
 * databases); a request's line and headers must be complete within {@code zipflux.http.header-timeout}
 * of its first byte (of the connection's opening, for the first), or the connection is closed
 * (slowloris); see {@link ConnectionExchanges}, which also keeps a keep-alive connection reading between
 * requests. Idle time between requests is Reactor Netty's idle timeout.
 */
@Component
class ConnectionGuard implements NettyServerCustomizer {

    private static final Logger log = LoggerFactory.getLogger(ConnectionGuard.class);

    /**
     * Unsent bytes the kernel may queue per connection before it asks for more (TCP_NOTSENT_LOWAT, epoll
     * only). Without it a socket's send buffer grows to megabytes and wakes the server only once a third
     * of that has drained, so a slow reader's progress would be seen every few minutes, and taken for a
     * stall; data in flight (the congestion window) is not limited by it. (It was suspected of the
     * keep-alive hangs that {@link ConnectionExchanges} prevents; they came as often without it.)
     */
    static final int NOT_SENT_LOW_WATER = 128 * 1024;

    private final Duration headerTimeout;

    /** {@code server.netty.idle-timeout}, which Reactor Netty applies; null: none. */
    private final Duration idleTimeout;

    private final int limit;

    private final AtomicInteger open = new AtomicInteger();

    ConnectionGuard(HttpProperties properties, ServerProperties server) {
        this.headerTimeout = properties.headerTimeout();
        this.idleTimeout = server.getNetty().getIdleTimeout();
        this.limit = properties.connectionLimit();
    }

    @Override
    public HttpServer apply(HttpServer server) {
        // Once per connection, after Reactor Netty's handlers are in place (doOnConnection runs per request).
        return server.doOnChannelInit((observer, channel, remote) -> guard(channel));
    }

    private void guard(Channel channel) {
        if (open.incrementAndGet() > limit) {
            open.decrementAndGet();
            log.debug("Connection from {} closed: {} connections are open (zipflux.http.max-connections)",
                    channel.remoteAddress(), limit);
            channel.close();
            return;
        }
        channel.closeFuture().addListener(closed -> open.decrementAndGet());
        channel.config().setOption(EpollChannelOption.TCP_NOTSENT_LOWAT, (long) NOT_SENT_LOW_WATER);
        if (channel.pipeline().get(NettyPipeline.HttpCodec) == null) {
            return;
        }
        new ConnectionExchanges(channel, headerTimeout, idleTimeout).install();
    }
}
