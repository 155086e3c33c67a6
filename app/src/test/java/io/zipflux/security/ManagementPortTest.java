package io.zipflux.security;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.autoconfigure.actuate.observability.AutoConfigureObservability;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalManagementPort;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.core.env.Environment;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * With a separate management port, metrics are open there (the operator's network) and nothing else is:
 * the API routes, which WebFlux serves there too, need their credential; the public port serves no
 * actuator (its path still needs a credential); health details are the credential's on both.
 */
@AutoConfigureObservability
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT, properties = {
        "zipflux.archive.photos-dir=${java.io.tmpdir}/zipflux-test-photos",
        "zipflux.data-dir=${java.io.tmpdir}/zipflux-test-data-management",
        "management.server.port=0",
})
class ManagementPortTest {

    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @LocalServerPort
    private int port;

    @LocalManagementPort
    private int managementPort;

    @Autowired
    private Environment environment;

    @Test
    void metricsAreOpenOnTheManagementPortOnly() throws Exception {
        assertThat(managementPort).isNotEqualTo(port);
        HttpResponse<String> open = get(managementPort, "/actuator/prometheus", null);
        assertThat(open.statusCode()).isEqualTo(200);
        assertThat(open.body()).contains("jvm_memory_used_bytes");

        assertThat(get(port, "/actuator/prometheus", null).statusCode()).as("refused before it is looked up").isEqualTo(401);
        String key = TestKeys.client(environment, "management-check");
        // WebFlux serves the functional routes there too: they need a credential as on the public port.
        assertThat(get(managementPort, "/api/v1/jobs", null).statusCode()).isEqualTo(401);
        assertThat(get(managementPort, "/api/v1/keys", null).statusCode()).isEqualTo(401);
        assertThat(get(managementPort, "/api/v1/keys", key).statusCode()).isEqualTo(403);
        assertThat(get(port, "/api/v1/jobs", null).statusCode()).isEqualTo(401);
        assertThat(get(port, "/api/v1/jobs", key).statusCode()).isEqualTo(200);
    }

    @Test
    void healthDetailsStillNeedACredentialOnTheManagementPort() throws Exception {
        assertThat(get(managementPort, "/actuator/health", null).body()).contains("\"components\"").doesNotContain("\"details\"");
        assertThat(get(managementPort, "/actuator/health", TestKeys.client(environment, "health-check")).body())
                .contains("\"details\"");
    }

    private static HttpResponse<String> get(int port, String path, String key) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path));
        if (key != null) {
            request.header("Authorization", "Bearer " + key);
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
