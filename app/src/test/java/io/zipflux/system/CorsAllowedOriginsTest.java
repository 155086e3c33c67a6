package io.zipflux.system;

import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.core.env.Environment;
import org.springframework.http.HttpHeaders;
import org.springframework.test.web.reactive.server.WebTestClient;

import io.zipflux.security.TestKeys;

import static org.assertj.core.api.Assertions.assertThat;

/** With {@code zipflux.http.cors-allowed-origins} set, the listed origins (and only they) may call from a browser. */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT, properties = {
        "zipflux.archive.photos-dir=${java.io.tmpdir}/zipflux-test-photos",
        "zipflux.http.cors-allowed-origins=https://forms.example.org,http://localhost:3000",
})
class CorsAllowedOriginsTest {

    @Autowired
    private WebTestClient web;

    @Autowired
    private Environment environment;

    @Test
    void aListedOriginPassesThePreflightAndMayReadTheAnswer() {
        for (String origin : new String[] {"https://forms.example.org", "http://localhost:3000"}) {
            web.options().uri("/api/v1/exports")
                    .header(HttpHeaders.ORIGIN, origin)
                    .header(HttpHeaders.ACCESS_CONTROL_REQUEST_METHOD, "POST")
                    .header(HttpHeaders.ACCESS_CONTROL_REQUEST_HEADERS, "authorization")
                    .exchange()
                    .expectStatus().isOk()
                    .expectHeader().valueEquals(HttpHeaders.ACCESS_CONTROL_ALLOW_ORIGIN, origin)
                    .expectHeader().value(HttpHeaders.ACCESS_CONTROL_ALLOW_METHODS, methods -> assertThat(methods).contains("POST"))
                    .expectHeader().doesNotExist(HttpHeaders.ACCESS_CONTROL_ALLOW_CREDENTIALS);
        }
        String key = TestKeys.client(environment, "cors-allowed");
        for (String path : new String[] {"/api/v1/jobs?limit=1", "/actuator/health/liveness"}) {
            web.get().uri(path)
                    .header(HttpHeaders.ORIGIN, "https://forms.example.org")
                    .headers(headers -> headers.setBearerAuth(key))
                    .exchange()
                    .expectStatus().isOk()
                    .expectHeader().valueEquals(HttpHeaders.ACCESS_CONTROL_ALLOW_ORIGIN, "https://forms.example.org")
                    .expectHeader().value(HttpHeaders.ACCESS_CONTROL_EXPOSE_HEADERS,
                            exposed -> assertThat(exposed).contains("Content-Disposition", "Retry-After"));
        }
    }

    @Test
    void anOriginNotListedIsStillRefused() {
        for (String origin : new String[] {"https://evil.example", "https://forms.example.org.evil.example", "null"}) {
            web.options().uri("/api/v1/exports")
                    .header(HttpHeaders.ORIGIN, origin)
                    .header(HttpHeaders.ACCESS_CONTROL_REQUEST_METHOD, "POST")
                    .exchange()
                    .expectStatus().isForbidden()
                    .expectHeader().doesNotExist(HttpHeaders.ACCESS_CONTROL_ALLOW_ORIGIN);
        }
        web.get().uri("/api/v1/jobs?limit=1")
                .header(HttpHeaders.ORIGIN, "https://evil.example")
                .headers(headers -> headers.setBearerAuth(TestKeys.client(environment, "cors-refused")))
                .exchange()
                .expectStatus().isForbidden()
                .expectHeader().doesNotExist(HttpHeaders.ACCESS_CONTROL_ALLOW_ORIGIN);
    }
}
