package io.zipflux.system;

import java.util.List;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpHeaders;
import org.springframework.web.cors.CorsConfiguration;
import org.springframework.web.cors.reactive.CorsConfigurationSource;
import org.springframework.web.cors.reactive.CorsWebFilter;
import org.springframework.web.cors.reactive.UrlBasedCorsConfigurationSource;

/**
 * CORS, closed unless configured: with no origins no route has a CORS configuration, so a preflight from
 * another origin is refused ({@code 403}) and no answer carries {@code Access-Control-Allow-Origin}; with
 * {@code zipflux.http.cors-origins} set, those origins (only) may call the API and download archives, without
 * cookies, and read the headers a download client needs. Other routes (actuator, docs, the landing page) stay
 * same-origin. One {@link CorsConfigurationSource} bean, so that a security filter chain can apply the same policy.
 */
@Configuration(proxyBeanMethods = false)
class CorsPolicy {

    /** The paths a page of another origin may call. */
    static final List<String> PATHS = List.of("/api/v1/**", "/archive/**");

    private static final List<String> METHODS = List.of("GET", "HEAD", "POST", "PUT", "DELETE");

    /** What a browser client sends: its credential, a body, a range of a download, a retry's key, its request id. */
    private static final List<String> ALLOWED_HEADERS = List.of(HttpHeaders.AUTHORIZATION, HttpHeaders.CONTENT_TYPE,
            HttpHeaders.RANGE, HttpHeaders.IF_RANGE, "Idempotency-Key", "X-Request-Id");

    /** What a browser client reads beyond the CORS-safelisted headers: sizes, ranges, validators, file names, waits. */
    private static final List<String> EXPOSED_HEADERS = List.of(HttpHeaders.CONTENT_LENGTH, HttpHeaders.CONTENT_RANGE,
            HttpHeaders.ETAG, HttpHeaders.CONTENT_DISPOSITION, HttpHeaders.ACCEPT_RANGES, HttpHeaders.LOCATION,
            HttpHeaders.RETRY_AFTER, "X-Request-Id");

    @Bean
    CorsConfigurationSource corsConfigurationSource(CorsProperties properties) {
        UrlBasedCorsConfigurationSource source = new UrlBasedCorsConfigurationSource();
        if (!properties.corsOrigins().isEmpty()) {
            CorsConfiguration allowing = allowing(properties.corsOrigins());
            PATHS.forEach(path -> source.registerCorsConfiguration(path, allowing));
        }
        return source;
    }

    @Bean
    @Order(Ordered.HIGHEST_PRECEDENCE)
    CorsWebFilter corsWebFilter(CorsConfigurationSource source) {
        return new CorsWebFilter(source);
    }

    private static CorsConfiguration allowing(List<String> origins) {
        CorsConfiguration cors = new CorsConfiguration();
        cors.setAllowedOrigins(origins);
        cors.setAllowedMethods(METHODS);
        cors.setAllowedHeaders(ALLOWED_HEADERS);
        cors.setExposedHeaders(EXPOSED_HEADERS);
        cors.setAllowCredentials(false);
        cors.setMaxAge(600L);
        return cors;
    }
}
