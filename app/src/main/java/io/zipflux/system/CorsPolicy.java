package io.zipflux.system;

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
 * CORS, closed unless configured: with no allowed origins no route has a CORS configuration, so a preflight
 * from another origin is refused ({@code 403}) and no answer carries {@code Access-Control-Allow-Origin}; with
 * {@code zipflux.http.cors-allowed-origins} set, those origins (only) may call every route, without cookies.
 * One {@link CorsConfigurationSource} bean, so that a security filter chain can apply the same policy.
 */
@Configuration(proxyBeanMethods = false)
class CorsPolicy {

    @Bean
    CorsConfigurationSource corsConfigurationSource(CorsProperties properties) {
        UrlBasedCorsConfigurationSource source = new UrlBasedCorsConfigurationSource();
        if (!properties.corsAllowedOrigins().isEmpty()) {
            source.registerCorsConfiguration("/**", allowing(properties));
        }
        return source;
    }

    @Bean
    @Order(Ordered.HIGHEST_PRECEDENCE)
    CorsWebFilter corsWebFilter(CorsConfigurationSource source) {
        return new CorsWebFilter(source);
    }

    private static CorsConfiguration allowing(CorsProperties properties) {
        CorsConfiguration cors = new CorsConfiguration();
        properties.corsAllowedOrigins().forEach(cors::addAllowedOrigin);
        for (String method : new String[] {"GET", "HEAD", "POST", "PUT", "DELETE"}) {
            cors.addAllowedMethod(method);
        }
        for (String header : new String[] {HttpHeaders.AUTHORIZATION, HttpHeaders.CONTENT_TYPE, HttpHeaders.RANGE,
            HttpHeaders.IF_RANGE}) {
            cors.addAllowedHeader(header);
        }
        for (String header : new String[] {HttpHeaders.LOCATION, HttpHeaders.CONTENT_DISPOSITION, HttpHeaders.CONTENT_RANGE,
            HttpHeaders.ACCEPT_RANGES, HttpHeaders.ETAG, HttpHeaders.RETRY_AFTER}) {
            cors.addExposedHeader(header);
        }
        cors.setAllowCredentials(false);
        cors.setMaxAge(600L);
        return cors;
    }
}
