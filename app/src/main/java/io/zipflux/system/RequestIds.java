package io.zipflux.system;

import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;

import io.micrometer.context.ContextRegistry;
import io.netty.channel.Channel;
import reactor.util.context.ContextView;

import org.springframework.http.server.reactive.HttpHandler;
import org.springframework.http.server.reactive.HttpHandlerDecoratorFactory;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.stereotype.Component;

/**
 * Gives every request an id: the client's {@code X-Request-Id} when it is a plain token (1 to 64 of
 * {@code A-Za-z0-9._:-}), else a new random one. The id is sent back in {@code X-Request-Id}, named in problem
 * details and in the access log line, and is in the logging MDC ({@code requestId}) of every line written
 * while the request is handled, on any thread: it rides in the Reactor context, which Reactor restores into
 * the MDC ({@code spring.reactor.context-propagation=auto}, {@link RequestIdAccessor}). Applied around the
 * whole handler, so that filters and error handling are inside it.
 */
@Component
public class RequestIds implements HttpHandlerDecoratorFactory {

    /** The request and response header. */
    public static final String HEADER = "X-Request-Id";

    /** The key in the Reactor context and in the logging MDC. */
    public static final String KEY = "requestId";

    private static final Pattern VALID = Pattern.compile("[A-Za-z0-9._:-]{1,64}");

    RequestIds() {
        ContextRegistry.getInstance().registerThreadLocalAccessor(new RequestIdAccessor());
    }

    @Override
    public HttpHandler apply(HttpHandler handler) {
        return (request, response) -> {
            String id = idOf(request);
            response.getHeaders().set(HEADER, id);
            Channel connection = ClientAborts.channelOf(request);
            return handler.handle(request, response)
                    .contextWrite(context -> connection == null ? context.put(KEY, id)
                            : context.put(KEY, id).put(ClientAborts.CONNECTION, connection));
        };
    }

    /** The id of the request whose Reactor context this is; null outside a request. */
    public static String of(ContextView context) {
        return context.getOrDefault(KEY, null);
    }

    private static String idOf(ServerHttpRequest request) {
        String given = request.getHeaders().getFirst(HEADER);
        return given != null && VALID.matcher(given).matches() ? given : generate();
    }

    /** 128 random bits in hex: unique enough to find one request among all, and cheap (no shared lock). */
    private static String generate() {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        return HexFormat.of().toHexDigits(random.nextLong()) + HexFormat.of().toHexDigits(random.nextLong());
    }
}
