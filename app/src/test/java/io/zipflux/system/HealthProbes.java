package io.zipflux.system;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import static org.assertj.core.api.Assertions.assertThat;

/** A probe of an instance's health endpoints over loopback, as a load balancer would: timed, with or without a credential. */
public final class HealthProbes {

    /** What the issue asks of every health answer, whatever the services do. */
    public static final Duration FAST = Duration.ofMillis(50);

    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private final int port;

    public HealthProbes(int port) {
        this.port = port;
    }

    /** One answer: status, JSON body and how long it took. */
    public record Probe(int status, JsonNode body, Duration took) {

        public String component(String name) {
            return body.at("/components/" + name + "/status").asText();
        }
    }

    public Probe get(String path) {
        return get(path, null);
    }

    /** {@code path} with {@code Authorization: Bearer credential} when one is given. */
    public Probe get(String path, String credential) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(30));
        if (credential != null) {
            request.header("Authorization", "Bearer " + credential);
        }
        long start = System.nanoTime();
        try {
            HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
            Duration took = Duration.ofNanos(System.nanoTime() - start);
            return new Probe(response.statusCode(), JSON.readTree(response.body()), took);
        }
        catch (IOException ex) {
            throw new IllegalStateException("GET " + path + " failed", ex);
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(ex);
        }
    }

    /** Waits until {@code component} of {@code /actuator/health} shows {@code status}; fails past {@code limit}. */
    public Probe awaitComponent(String component, String status, Duration limit) throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        Probe probe = get("/actuator/health");
        while (!status.equals(probe.component(component)) && System.nanoTime() < deadline) {
            Thread.sleep(50);
            probe = get("/actuator/health");
        }
        assertThat(probe.component(component)).as("%s within %s: %s", component, limit, probe.body()).isEqualTo(status);
        return probe;
    }

    /**
     * {@code calls} answers of each of {@code /actuator/health} and its readiness group, after as many warm-up calls
     * (the first opens the connection and runs cold code): each had {@code status}; none took as long as
     * {@code checkTimeout}, so none waited for a check; and their median came within {@link #FAST}, or, on a test
     * machine so busy that even the liveness probe (which asks no service) is slower, within twice the liveness
     * probe's median measured between them.
     */
    public List<Duration> assertFast(int calls, int status, Duration checkTimeout) {
        for (int i = 0; i < calls; i++) {
            get("/actuator/health");
        }
        List<Duration> times = new ArrayList<>();
        List<Duration> liveness = new ArrayList<>();
        for (int i = 0; i < calls; i++) {
            liveness.add(get("/actuator/health/liveness").took());
            for (String path : List.of("/actuator/health", "/actuator/health/readiness")) {
                Probe probe = get(path);
                assertThat(probe.status()).as("%s: %s", path, probe.body()).isEqualTo(status);
                times.add(probe.took());
            }
        }
        Duration baseline = median(liveness).multipliedBy(2);
        Duration limit = baseline.compareTo(FAST) > 0 ? baseline : FAST;
        assertThat(median(times)).as("median answer time of %s (liveness: %s)", times, liveness).isLessThan(limit);
        assertThat(times.stream().max(Duration::compareTo).orElseThrow()).as("slowest answer of %s", times)
                .isLessThan(checkTimeout);
        return times;
    }

    private static Duration median(List<Duration> times) {
        return times.stream().sorted().toList().get(times.size() / 2);
    }
}
