package io.zipflux.system;

import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpHeaders;
import org.springframework.web.reactive.config.CorsRegistry;
import org.springframework.web.reactive.config.WebFluxConfigurer;

/**
 * CORS, closed unless configured: with no allowed origins nothing is registered, so a preflight from
 * another origin is refused ({@code 403}) and no answer carries {@code Access-Control-Allow-Origin};
 * with {@code zipflux.http.cors-allowed-origins} set, those origins (only) may call every route.
 */
@Configuration(proxyBeanMethods = false)
class CorsPolicy implements WebFluxConfigurer {

    private final CorsProperties properties;

    CorsPolicy(CorsProperties properties) {
        this.properties = properties;
    }

    @Override
    public void addCorsMappings(CorsRegistry registry) {
        if (properties.corsAllowedOrigins().isEmpty()) {
            return;
        }
        registry.addMapping("/**")
                .allowedOrigins(properties.corsAllowedOrigins().toArray(String[]::new))
                .allowedMethods("GET", "HEAD", "POST", "PUT", "DELETE")
                .allowedHeaders(HttpHeaders.AUTHORIZATION, HttpHeaders.CONTENT_TYPE, HttpHeaders.RANGE, HttpHeaders.IF_RANGE)
                .exposedHeaders(HttpHeaders.LOCATION, HttpHeaders.CONTENT_DISPOSITION, HttpHeaders.CONTENT_RANGE,
                        HttpHeaders.ACCEPT_RANGES, HttpHeaders.ETAG, HttpHeaders.RETRY_AFTER)
                .allowCredentials(false)
                .maxAge(600);
    }
}
