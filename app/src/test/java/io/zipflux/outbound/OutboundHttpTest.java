package io.zipflux.outbound;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;
import reactor.test.StepVerifier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The outbound policy end to end, with loopback targets only: an origin on 127.0.0.1 and a listener
 * on 127.0.0.2 that counts the connections it accepts (the policy of most tests allows 127.0.0.1/32
 * and so refuses 127.0.0.2). No test here connects anywhere else.
 */
class OutboundHttpTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private static DisposableServer origin;

    private static final AtomicInteger originRequests = new AtomicInteger();

    private static ServerSocket refusedListener;

    private static final AtomicInteger refusedAccepts = new AtomicInteger();

    private final OutboundHttp onlyFirstLoopback = outbound(false, List.of("127.0.0.1/32"));

    private final OutboundHttp publicOnly = outbound(false, List.of());

    @BeforeAll
    static void startServers() throws IOException {
        refusedListener = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.2"));
        Thread acceptor = new Thread(OutboundHttpTest::acceptAndCount, "refused-listener");
        acceptor.setDaemon(true);
        acceptor.start();
        String refused = "http://127.0.0.2:" + refusedListener.getLocalPort() + "/secret";
        origin = HttpServer.create()
                .host("127.0.0.1")
                .port(0)
                .route(routes -> routes
                        .get("/hello", (request, response) -> response.sendString(Mono.just("hello")))
                        .get("/to-refused", (request, response) -> response.sendRedirect(refused))
                        .get("/to-hello", (request, response) -> response.sendRedirect("/hello"))
                        .get("/loop", (request, response) -> response.sendRedirect("/loop")))
                .doOnConnection(connection -> originRequests.incrementAndGet())
                .bindNow();
    }

    private static void acceptAndCount() {
        while (!refusedListener.isClosed()) {
            try (Socket accepted = refusedListener.accept()) {
                refusedAccepts.incrementAndGet();
            }
            catch (IOException closed) {
                return;
            }
        }
    }

    @AfterAll
    static void stopServers() throws IOException {
        origin.disposeNow();
        refusedListener.close();
    }

    @Test
    void allowedAddressIsFetched() {
        get(onlyFirstLoopback, originUrl("/hello"))
                .as(StepVerifier::create)
                .expectNext("200 hello")
                .expectComplete()
                .verify(TIMEOUT);
    }

    @Test
    void refusedLiteralAddressIsNeverConnectedTo() {
        String refused = "http://127.0.0.2:" + refusedListener.getLocalPort() + "/secret";
        int before = refusedAccepts.get();

        get(onlyFirstLoopback, refused)
                .as(StepVerifier::create)
                .expectErrorSatisfies(error -> assertThat(OutboundRefusedException.in(error))
                        .hasMessageContaining("127.0.0.2 is a loopback address"))
                .verify(TIMEOUT);
        assertThat(refusedAccepts.get()).isEqualTo(before);

        // Positive control: a client that may go there does reach the listener, and it counts.
        get(outbound(true, List.of()), refused).onErrorResume(error -> Mono.empty()).block(TIMEOUT);
        waitFor(() -> refusedAccepts.get() == before + 1);
    }

    @Test
    void redirectToRefusedAddressFailsWithoutConnectingThere() {
        int before = refusedAccepts.get();

        get(onlyFirstLoopback, originUrl("/to-refused"))
                .as(StepVerifier::create)
                .expectErrorSatisfies(error -> assertThat(OutboundRefusedException.in(error))
                        .hasMessageContaining("127.0.0.2 is a loopback address"))
                .verify(TIMEOUT);
        assertThat(refusedAccepts.get()).isEqualTo(before);
    }

    @Test
    void redirectToAllowedAddressIsFollowed() {
        get(onlyFirstLoopback, originUrl("/to-hello"))
                .as(StepVerifier::create)
                .expectNext("200 hello")
                .expectComplete()
                .verify(TIMEOUT);
    }

    @Test
    void redirectsStopAfterTheLimitWithTheRedirectAsTheAnswer() {
        get(onlyFirstLoopback, originUrl("/loop"))
                .as(StepVerifier::create)
                .assertNext(answer -> assertThat(answer).startsWith("302"))
                .expectComplete()
                .verify(TIMEOUT);
    }

    @Test
    void nameResolvingToRefusedAddressIsRefusedBeforeAnyConnection() {
        String byName = "http://localhost:" + origin.port() + "/hello";
        int before = originRequests.get();

        publicOnly.check(byName)
                .as(StepVerifier::create)
                .expectErrorSatisfies(error -> assertThat(error)
                        .isInstanceOf(OutboundRefusedException.class)
                        .hasMessageContaining("is a loopback address"))
                .verify(TIMEOUT);
        get(publicOnly, byName)
                .as(StepVerifier::create)
                .expectErrorSatisfies(error -> assertThat(OutboundRefusedException.in(error)).isNotNull())
                .verify(TIMEOUT);
        assertThat(originRequests.get()).isEqualTo(before);

        // Positive control: with loopback allowed, the same URL reaches the origin.
        get(outbound(true, List.of()), byName).block(TIMEOUT);
        assertThat(originRequests.get()).isGreaterThan(before);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "ftp://example.org/file | scheme ftp is not allowed",
        "file:///etc/passwd | scheme file is not allowed",
        "gopher://127.0.0.1:70/ | scheme gopher is not allowed",
        "example.org/file | has no scheme",
        "http:///nohost | has no host",
        "http://exa mple.org/ | is not a valid URL",
        "http://user:secret@example.org/ | user info",
        "http://127.0.0.1/ | 127.0.0.1 is a loopback address",
        "http://[::1]/ | is a loopback address",
        "http://[::ffff:127.0.0.1]/ | is a loopback address",
        "http://169.254.169.254/latest/meta-data/ | 169.254.169.254 is a link-local address",
        "http://10.0.0.8/ | 10.0.0.8 is a private address",
        "http://[fd00::1]/ | is an IPv6 unique-local address",
        "http://0.0.0.0:8080/ | is an unspecified address",
        "http://224.0.0.1/ | is a multicast address",
    })
    void checkRefusesWithTheReason(String url, String reason) {
        publicOnly.check(url)
                .as(StepVerifier::create)
                .expectErrorSatisfies(error -> assertThat(error)
                        .isInstanceOf(OutboundRefusedException.class)
                        .hasMessageContaining(reason))
                .verify(TIMEOUT);
    }

    @Test
    void checkAcceptsPublicLiteralWithoutConnecting() {
        publicOnly.check("https://93.184.216.34/photo.jpg")
                .as(StepVerifier::create)
                .assertNext(uri -> assertThat(uri.getHost()).isEqualTo("93.184.216.34"))
                .expectComplete()
                .verify(TIMEOUT);
    }

    @Test
    void badAllowedAddressFailsAtStart() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> outbound(false, List.of("127.0.0.1/40")))
                .hasMessageContaining("prefix length");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> outbound(false, List.of("intranet")))
                .hasMessageContaining("is not an address or CIDR block");
    }

    private static OutboundHttp outbound(boolean allowPrivate, List<String> allowed) {
        return new OutboundHttp(new OutboundProperties(allowPrivate, allowed, Duration.ofSeconds(2), 5));
    }

    private static String originUrl(String path) {
        return "http://127.0.0.1:" + origin.port() + path;
    }

    private static Mono<String> get(OutboundHttp outbound, String url) {
        return outbound.client()
                .get()
                .uri(url)
                .responseSingle((response, body) -> body.asString()
                        .defaultIfEmpty("")
                        .map(text -> response.status().code() + " " + text));
    }

    private static void waitFor(BooleanSupplier condition) {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("condition within %s", TIMEOUT).isLessThan(deadline);
            Thread.onSpinWait();
        }
    }
}
