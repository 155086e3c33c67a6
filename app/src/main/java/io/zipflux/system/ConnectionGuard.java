package io.zipflux.system;

import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.LastHttpContent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.netty.NettyPipeline;
import reactor.netty.http.server.HttpServer;

import org.springframework.boot.web.embedded.netty.NettyServerCustomizer;
import org.springframework.stereotype.Component;

/**
 * What a connection may hold: past {@code zipflux.http.max-connections} open ones a new connection is
 * closed on accept (the server keeps answering those it has, and keeps descriptors for its files and
 * databases); a request's line and headers must be complete within {@code zipflux.http.header-timeout}
 * of its first byte (of the connection's opening, for the first), or the connection is closed
 * (slowloris). Idle time between requests is Reactor Netty's idle timeout.
 */
@Component
class ConnectionGuard implements NettyServerCustomizer {

    private static final Logger log = LoggerFactory.getLogger(ConnectionGuard.class);

    /**
     * Unsent bytes the kernel may queue per connection before it asks for more (TCP_NOTSENT_LOWAT, epoll
     * only). Without it a socket's send buffer grows to megabytes and wakes the server only once a third
     * of that has drained, so a slow reader's progress would be seen every few minutes, and taken for a
     * stall; data in flight (the congestion window) is not limited by it.
     */
    static final int NOT_SENT_LOW_WATER = 128 * 1024;

    private final Duration headerTimeout;

    private final int limit;

    private final AtomicInteger open = new AtomicInteger();

    ConnectionGuard(HttpProperties properties) {
        this.headerTimeout = properties.headerTimeout();
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
        HeaderClock clock = new HeaderClock();
        channel.pipeline().addBefore(NettyPipeline.HttpCodec, "zipflux.headerClock", clock.bytes());
        channel.pipeline().addAfter(NettyPipeline.HttpCodec, "zipflux.headerDone", clock.requests());
        clock.start(channel);
    }

    /**
     * One connection's header clock: started by the connection's opening and by the first byte after a
     * response, stopped once a request's headers are decoded. All on the channel's event loop.
     */
    private final class HeaderClock {

        private ScheduledFuture<?> deadline;

        /** Between a decoded request and the end of its response, when the bytes are its body. */
        private boolean inRequest;

        void start(Channel channel) {
            if (deadline == null && !inRequest) {
                deadline = channel.eventLoop().schedule(() -> expired(channel), headerTimeout.toMillis(),
                        TimeUnit.MILLISECONDS);
            }
        }

        private void expired(Channel channel) {
            deadline = null;
            log.debug("Connection from {} closed: no complete request headers within {}", channel.remoteAddress(),
                    headerTimeout);
            channel.close();
        }

        private void stop() {
            if (deadline != null) {
                deadline.cancel(false);
                deadline = null;
            }
        }

        /** Sees the raw bytes: the first of a request starts the clock. */
        ChannelInboundHandlerAdapter bytes() {
            return new ChannelInboundHandlerAdapter() {
                @Override
                public void channelRead(ChannelHandlerContext ctx, Object msg) {
                    if (msg instanceof ByteBuf buffer && buffer.isReadable()) {
                        start(ctx.channel());
                    }
                    ctx.fireChannelRead(msg);
                }

                @Override
                public void channelInactive(ChannelHandlerContext ctx) {
                    stop();
                    ctx.fireChannelInactive();
                }
            };
        }

        /** Sees decoded requests (the clock stops) and the end of their responses (the next request's bytes may start it). */
        ChannelDuplexHandler requests() {
            return new ChannelDuplexHandler() {
                @Override
                public void channelRead(ChannelHandlerContext ctx, Object msg) {
                    if (msg instanceof HttpRequest) {
                        stop();
                        inRequest = true;
                    }
                    ctx.fireChannelRead(msg);
                }

                @Override
                public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
                    if (msg instanceof LastHttpContent) {
                        inRequest = false;
                    }
                    ctx.write(msg, promise);
                }
            };
        }
    }
}
