package io.zipflux.system;

import java.net.InetSocketAddress;
import java.net.SocketAddress;

import org.slf4j.MDC;
import reactor.netty.http.server.HttpServer;
import reactor.netty.http.server.logging.AccessLog;
import reactor.netty.http.server.logging.AccessLogArgProvider;

import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.web.embedded.netty.NettyServerCustomizer;
import org.springframework.stereotype.Component;

/**
 * One line per request, when {@code zipflux.logging.enabled}: Reactor Netty's access log (logger
 * {@code reactor.netty.http.server.AccessLog}), written once the response has ended, with the client's
 * address (and the {@code X-Forwarded-For} a proxy added), method, path (never the query: signed links
 * carry their signature there), status, body bytes sent, duration and request id (also in the MDC):
 * {@code 127.0.0.1 "GET /archive/sample/ HTTP/1.1" 200 81234 B 12 ms requestId=4f0c...}.
 */
@Component
@ConditionalOnProperty(name = "zipflux.logging.enabled", havingValue = "true")
class RequestLog implements NettyServerCustomizer {

    private static final String FORMAT = "{} \"{} {} {}\" {} {} B {} ms requestId={}{}";

    @Override
    public HttpServer apply(HttpServer server) {
        return server.accessLog(true, RequestLog::line);
    }

    private static AccessLog line(AccessLogArgProvider request) {
        String id = text(request.responseHeader(RequestIds.HEADER));
        CharSequence forwarded = request.requestHeader("X-Forwarded-For");
        return new WithRequestId(id, FORMAT, address(request.remoteAddress()), request.method(), path(request.uri()),
                request.protocol(), request.status(), Math.max(0, request.contentLength()), request.duration(), id,
                forwarded == null ? "" : " forwardedFor=" + forwarded);
    }

    private static String address(SocketAddress remote) {
        return remote instanceof InetSocketAddress inet ? inet.getHostString() : String.valueOf(remote);
    }

    private static String path(CharSequence uri) {
        String text = text(uri);
        int query = text.indexOf('?');
        return query < 0 ? text : text.substring(0, query);
    }

    private static String text(CharSequence value) {
        return value == null ? "-" : value.toString();
    }

    /** The access line with the request id in the MDC too, for structured (JSON) logs; written on the event loop, after the request. */
    private static final class WithRequestId extends AccessLog {

        private final String id;

        WithRequestId(String id, String format, Object... args) {
            super(format, args);
            this.id = id;
        }

        @Override
        protected void log() {
            String before = MDC.get(RequestIds.KEY);
            MDC.put(RequestIds.KEY, id);
            try {
                super.log();
            }
            finally {
                if (before == null) {
                    MDC.remove(RequestIds.KEY);
                }
                else {
                    MDC.put(RequestIds.KEY, before);
                }
            }
        }
    }
}
