package io.zipflux.system;

import java.lang.management.ManagementFactory;
import java.time.Duration;

import com.sun.management.UnixOperatingSystemMXBean;
import org.junit.jupiter.api.Test;

import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;

/** The slow-client settings are bound with their defaults and validated at start. */
class HttpPropertiesTest {

    private final ApplicationContextRunner context = new ApplicationContextRunner()
            .withUserConfiguration(Settings.class);

    @Configuration(proxyBeanMethods = false)
    @EnableConfigurationProperties({HttpProperties.class, UploadProperties.class})
    static class Settings {
    }

    @Test
    void zeroMaxConnectionsStopsTheStartNamingTheSetting() {
        context.withPropertyValues("zipflux.http.max-connections=0")
                .run(started -> assertThat(started).hasFailed()
                        .getFailure()
                        .rootCause()
                        .hasMessageContaining("zipflux.http.max-connections")
                        .hasMessageContaining("greater than or equal to 1"));
    }

    @Test
    void timeoutsAreBoundWithTheirDefaults() {
        context.run(started -> {
            HttpProperties http = started.getBean(HttpProperties.class);
            assertThat(http.headerTimeout()).isEqualTo(Duration.ofSeconds(10));
            assertThat(http.stallTimeout()).isEqualTo(Duration.ofSeconds(60));
            assertThat(http.maxConnections()).isNull();
            assertThat(started.getBean(UploadProperties.class).stallTimeout()).isEqualTo(Duration.ofSeconds(30));
        });
        context.withPropertyValues("zipflux.http.header-timeout=2s", "zipflux.upload.stall-timeout=500ms")
                .run(started -> {
                    assertThat(started.getBean(HttpProperties.class).headerTimeout()).isEqualTo(Duration.ofSeconds(2));
                    assertThat(started.getBean(UploadProperties.class).stallTimeout()).isEqualTo(Duration.ofMillis(500));
                });
    }

    @Test
    void theDefaultConnectionLimitLeavesAQuarterOfTheFileDescriptors() {
        long descriptors = ((UnixOperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getMaxFileDescriptorCount();
        HttpProperties derived = new HttpProperties(Duration.ofSeconds(10), Duration.ofSeconds(60), null);
        assertThat(derived.connectionLimit()).isEqualTo((int) Math.min(Integer.MAX_VALUE, descriptors / 4 * 3));
        assertThat(new HttpProperties(Duration.ofSeconds(10), Duration.ofSeconds(60), 7).connectionLimit()).isEqualTo(7);
    }
}
