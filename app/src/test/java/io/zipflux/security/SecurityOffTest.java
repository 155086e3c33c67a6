package io.zipflux.security;

import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.autoconfigure.actuate.observability.AutoConfigureObservability;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.test.web.reactive.server.WebTestClient;

/** {@code zipflux.security.enabled=false}: every request is one admin's, with no limit on active jobs. */
@AutoConfigureObservability
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT, properties = {
        "zipflux.archive.photos-dir=${java.io.tmpdir}/zipflux-test-photos",
        "zipflux.data-dir=${java.io.tmpdir}/zipflux-test-data-security-off",
        "zipflux.security.enabled=false",
        "zipflux.security.max-active-jobs=1",
})
class SecurityOffTest {

    @Autowired
    private WebTestClient web;

    @Test
    void everyRouteIsOpenAndJobsAreNotLimited() {
        for (int i = 0; i < 3; i++) {
            web.post().uri("/api/v1/imports").exchange()
                    .expectStatus().isCreated()
                    .expectBody().jsonPath("$.owner").isEqualTo("anonymous");
        }
        web.get().uri("/api/v1/jobs").exchange().expectStatus().isOk().expectBody().jsonPath("$.length()").isEqualTo(3);
        web.get().uri("/api/v1/keys").exchange().expectStatus().isOk();
        web.get().uri("/actuator/prometheus").exchange().expectStatus().isOk();
    }
}
