package io.zipflux.system;

import org.junit.jupiter.api.Test;

import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code zipflux.http.cors-origins} is empty by default and takes origins only: anything else stops the start. */
class CorsPropertiesTest {

    private final ApplicationContextRunner context = new ApplicationContextRunner()
            .withUserConfiguration(Settings.class);

    @Configuration(proxyBeanMethods = false)
    @EnableConfigurationProperties(CorsProperties.class)
    static class Settings {
    }

    @Test
    void noOriginIsAllowedByDefault() {
        context.run(started -> assertThat(started.getBean(CorsProperties.class).corsOrigins()).isEmpty());
    }

    @Test
    void originsAreBoundAsAList() {
        context.withPropertyValues("zipflux.http.cors-origins=https://forms.example.org,http://localhost:3000")
                .run(started -> assertThat(started.getBean(CorsProperties.class).corsOrigins())
                        .containsExactly("https://forms.example.org", "http://localhost:3000"));
    }

    @Test
    void aWildcardOrAPathStopsTheStartNamingTheSetting() {
        for (String value : new String[] {"*", "https://forms.example.org/page", "forms.example.org", "https://*.example.org"}) {
            context.withPropertyValues("zipflux.http.cors-origins=" + value)
                    .run(started -> assertThat(started).as(value).hasFailed()
                            .getFailure()
                            .rootCause()
                            .hasMessageContaining("zipflux.http")
                            .hasMessageContaining("corsOrigins[0]")
                            .hasMessageContaining("must be an origin"));
        }
    }
}
