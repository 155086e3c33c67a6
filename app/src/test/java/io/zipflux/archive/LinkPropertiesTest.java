package io.zipflux.archive;

import org.junit.jupiter.api.Test;

import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;

/** The link settings are validated at start: a secret too short to be a key stops the start, naming the setting. */
class LinkPropertiesTest {

    private final ApplicationContextRunner context = new ApplicationContextRunner()
            .withUserConfiguration(Settings.class);

    @Configuration(proxyBeanMethods = false)
    @EnableConfigurationProperties(LinkProperties.class)
    static class Settings {
    }

    @Test
    void secretShorterThanSixteenBytesStopsTheStart() {
        context.withPropertyValues("zipflux.archive.link-secret=fifteen-bytes!!")
                .run(started -> assertThat(started).hasFailed()
                        .getFailure()
                        .rootCause()
                        .hasMessageContaining("zipflux.archive.link-secret must be at least 16 bytes"));
    }

    @Test
    void secretIsMeasuredInUtf8Bytes() {
        // Six characters of three bytes each: 18 bytes, accepted although a 6-character secret.
        context.withPropertyValues("zipflux.archive.link-secret=€€€€€€")
                .run(started -> assertThat(started.getBean(LinkProperties.class).signing()).isTrue());
        context.withPropertyValues("zipflux.archive.link-secret=sixteen-bytes!!!")
                .run(started -> assertThat(started.getBean(LinkProperties.class).signing()).isTrue());
    }

    @Test
    void withoutASecretSigningIsOffAndTheCapIsADay() {
        context.run(started -> {
            LinkProperties properties = started.getBean(LinkProperties.class);
            assertThat(properties.signing()).isFalse();
            assertThat(properties.linkMaxTtl()).hasHours(24);
        });
    }

    @Test
    void zeroMaxTtlStopsTheStart() {
        context.withPropertyValues("zipflux.archive.link-max-ttl=0s")
                .run(started -> assertThat(started).hasFailed()
                        .getFailure()
                        .rootCause()
                        .hasMessageContaining("zipflux.archive.link-max-ttl must be at least 1s"));
    }
}
