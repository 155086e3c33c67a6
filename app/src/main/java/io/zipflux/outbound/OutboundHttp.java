package io.zipflux.outbound;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;

import io.netty.channel.ChannelOption;
import io.netty.handler.codec.http.HttpResponseStatus;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;

import org.springframework.beans.factory.DisposableBean;
import org.springframework.stereotype.Component;

/**
 * The one way out of zipflux to addresses its clients name (URLs to fetch, webhook receivers): only
 * http and https, and only to addresses the policy allows (DESIGN §5), checked on the first hop and
 * on every redirect, at the address actually connected to.
 */
@Component
public class OutboundHttp implements DisposableBean {

    private final CheckedResolverGroup resolver;

    private final Scheduler lookups = Schedulers.newBoundedElastic(4, 1000, "outbound-dns");

    private final ConnectionProvider connections = ConnectionProvider.create("outbound", 64);

    private final HttpClient client;

    OutboundHttp(OutboundProperties properties) {
        this.resolver = new CheckedResolverGroup(new AddressPolicy(properties), lookups);
        int maxRedirects = properties.maxRedirects();
        this.client = HttpClient.create(connections)
                .resolver(resolver)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) properties.connectTimeout().toMillis())
                .followRedirect((request, response) -> isRedirect(response.status())
                        && request.redirectedFrom().length < maxRedirects);
    }

    /**
     * Checks a URL a client gave, now: http or https, a host, no user info, and every address the host
     * resolves to allowed. Fails with {@link OutboundRefusedException} saying what is wrong.
     */
    public Mono<URI> check(String url) {
        return Mono.fromCallable(() -> parse(url))
                .flatMap(uri -> resolver.lookUp(hostOf(uri))
                        .onErrorMap(error -> !(error instanceof OutboundRefusedException),
                                error -> new OutboundRefusedException(hostOf(uri) + " does not resolve to an address"))
                        .thenReturn(uri));
    }

    /**
     * A client whose every connection, redirect hops included (at most {@code max-redirects}; past
     * that the redirect itself is the response), goes only to an address the policy allows; a
     * refused hop fails the request with {@link OutboundRefusedException} (find it with
     * {@link OutboundRefusedException#in}). Has the connect timeout; callers set response timeouts.
     */
    public HttpClient client() {
        return client;
    }

    private static URI parse(String url) {
        if (url == null || url.isBlank()) {
            throw new OutboundRefusedException("the URL is empty");
        }
        URI uri;
        try {
            uri = new URI(url.strip());
        }
        catch (URISyntaxException ex) {
            throw new OutboundRefusedException("'" + url + "' is not a valid URL: " + ex.getReason());
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw new OutboundRefusedException(uri.getScheme() == null
                    ? "'" + url + "' has no scheme; only http and https URLs are allowed"
                    : "scheme " + uri.getScheme() + " is not allowed; only http and https");
        }
        if (uri.getHost() == null || uri.getHost().isEmpty()) {
            throw new OutboundRefusedException("'" + url + "' has no host name");
        }
        if (uri.getRawUserInfo() != null) {
            throw new OutboundRefusedException("'" + url + "' holds user info; credentials in URLs are not supported");
        }
        return uri;
    }

    /** The host without the brackets of an IPv6 literal. */
    private static String hostOf(URI uri) {
        String host = uri.getHost();
        return host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
    }

    private static boolean isRedirect(HttpResponseStatus status) {
        int code = status.code();
        return code == 301 || code == 302 || code == 303 || code == 307 || code == 308;
    }

    @Override
    public void destroy() {
        connections.dispose();
        lookups.dispose();
    }
}
