package io.zipflux.system;

import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.LastHttpContent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.netty.NettyPipeline;
import reactor.netty.http.HttpConnectionLiveness;
import reactor.netty.http.IdleTimeoutHandler;

/**
 * One HTTP/1.1 connection's exchanges, counted by two handlers around Reactor Netty's codec (all on the
 * channel's event loop): requests decoded, requests read to the end of their body, final responses
 * written. The connection is between exchanges when every request it sent was read to its end and
 * answered; only then is a byte the start of a new request, and only then does the header clock
 * ({@code zipflux.http.header-timeout}) start on it. The rest of a body answered early (a 4xx before
 * the body was read) is not a slow request head: it is the exchange's own, and an idle timeout covers it.
 * <p>
 * Each time an exchange ends, the connection is made to read again, as Reactor Netty itself does when
 * its request's operations end: Reactor Netty 1.2.18 forgets to when a request read while the one before
 * it was being answered is answered at once (reactor-netty#4361): the connection then reads nothing more
 * and has no idle timeout, and the client's next request is never answered. Reading again is a no-op
 * when Reactor Netty already asked for it.
 */
final class ConnectionExchanges {

    private static final Logger log = LoggerFactory.getLogger(ConnectionExchanges.class);

    private final Channel channel;

    private final Duration headerTimeout;

    /** {@code server.netty.idle-timeout}; null: none. */
    private final Duration idleTimeout;

    private long requests;

    private long requestsRead;

    private long responses;

    private ScheduledFuture<?> headerDeadline;

    ConnectionExchanges(Channel channel, Duration headerTimeout, Duration idleTimeout) {
        this.channel = channel;
        this.headerTimeout = headerTimeout;
        this.idleTimeout = idleTimeout;
    }

    /** Places the two handlers around the codec; the header clock of the first request starts with the connection. */
    void install() {
        channel.pipeline().addBefore(NettyPipeline.HttpCodec, "zipflux.requestBytes", bytes());
        channel.pipeline().addAfter(NettyPipeline.HttpCodec, "zipflux.exchanges", messages());
        startHeaderClock();
    }

    private boolean betweenExchanges() {
        return requestsRead == requests && responses == requests;
    }

    private void startHeaderClock() {
        if (headerDeadline == null && betweenExchanges()) {
            headerDeadline = channel.eventLoop().schedule(this::headerTimedOut, headerTimeout.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    private void headerTimedOut() {
        headerDeadline = null;
        log.debug("Connection from {} closed: no complete request headers within {}", channel.remoteAddress(), headerTimeout);
        channel.close();
    }

    private void stopHeaderClock() {
        if (headerDeadline != null) {
            headerDeadline.cancel(false);
            headerDeadline = null;
        }
    }

    /** After the task that ended an exchange (and Reactor Netty's own handling of it): read on, with an idle timeout. */
    private void exchangeEnded(ChannelHandlerContext ctx) {
        if (betweenExchanges()) {
            channel.eventLoop().execute(() -> readOn(ctx));
        }
    }

    private void readOn(ChannelHandlerContext ctx) {
        if (!channel.isActive() || !betweenExchanges()) {
            return;
        }
        if (idleTimeout != null && channel.pipeline().get(NettyPipeline.IdleTimeoutHandler) == null) {
            log.debug("Connection from {} between requests had no idle timeout (reactor-netty#4361): reading on", channel.remoteAddress());
            IdleTimeoutHandler.addIdleTimeoutHandler(channel.pipeline(), idleTimeout, HttpConnectionLiveness.CLOSE);
        }
        ctx.read();
    }

    /** Sees the raw bytes: between exchanges, the first is a new request's. */
    private ChannelInboundHandlerAdapter bytes() {
        return new ChannelInboundHandlerAdapter() {
            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                if (msg instanceof ByteBuf buffer && buffer.isReadable()) {
                    startHeaderClock();
                }
                ctx.fireChannelRead(msg);
            }

            @Override
            public void channelInactive(ChannelHandlerContext ctx) {
                stopHeaderClock();
                ctx.fireChannelInactive();
            }
        };
    }

    /** Sees decoded requests and their ends, and the ends of final responses once written. */
    private ChannelDuplexHandler messages() {
        return new ChannelDuplexHandler() {
            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                if (msg instanceof HttpRequest) {
                    stopHeaderClock();
                    requests++;
                }
                if (msg instanceof LastHttpContent) {
                    requestsRead++;
                    exchangeEnded(ctx);
                }
                ctx.fireChannelRead(msg);
            }

            @Override
            public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
                if (!(msg instanceof LastHttpContent) || informational(msg)) {
                    ctx.write(msg, promise);
                    return;
                }
                ChannelPromise written = promise.unvoid();
                written.addListener(future -> {
                    if (future.isSuccess()) {
                        responses++;
                        exchangeEnded(ctx);
                    }
                });
                ctx.write(msg, written);
            }
        };
    }

    /** A 100 Continue (or other 1xx) comes before the response proper. */
    private static boolean informational(Object msg) {
        return msg instanceof HttpResponse response && response.status().codeClass() == HttpStatusClass.INFORMATIONAL;
    }
}
