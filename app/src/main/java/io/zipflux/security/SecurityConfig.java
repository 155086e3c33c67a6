package io.zipflux.security;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;
import org.springframework.http.HttpMethod;
import org.springframework.security.config.annotation.web.reactive.EnableWebFluxSecurity;
import org.springframework.security.config.web.server.ServerHttpSecurity;
import org.springframework.security.oauth2.jwt.ReactiveJwtDecoder;
import org.springframework.security.oauth2.server.resource.authentication.JwtReactiveAuthenticationManager;
import org.springframework.security.web.server.SecurityWebFilterChain;
import org.springframework.security.web.server.context.NoOpServerSecurityContextRepository;
import org.springframework.security.web.server.firewall.ServerExchangeRejectedHandler;
import org.springframework.security.web.server.savedrequest.NoOpServerRequestCache;
import org.springframework.security.web.server.util.matcher.AndServerWebExchangeMatcher;
import org.springframework.security.web.server.util.matcher.ServerWebExchangeMatchers;

/**
 * Who may call what: every {@code /api/v1/**} route and {@code /actuator/prometheus} need a bearer
 * credential (API key or, when an identity provider is configured, its JWT), key management needs an
 * admin; CORS preflights, the separate management port (if one is set) and the rest are open. Stateless: no session, no cookie, so no cross-site request can carry a
 * credential (bearer headers are never sent by a browser on its own), and CSRF tokens have nothing to guard.
 * Browser headers are {@code system/SecurityHeaders}'s.
 */
@Configuration(proxyBeanMethods = false)
@EnableWebFluxSecurity
class SecurityConfig {

    private static final Logger log = LoggerFactory.getLogger(SecurityConfig.class);

    @Bean
    SecurityWebFilterChain filterChain(ServerHttpSecurity http, AccessProperties properties, ApiKeys keys,
            ObjectProvider<ReactiveJwtDecoder> jwtDecoder, Environment environment) {
        http.csrf(ServerHttpSecurity.CsrfSpec::disable)
                .httpBasic(ServerHttpSecurity.HttpBasicSpec::disable)
                .formLogin(ServerHttpSecurity.FormLoginSpec::disable)
                .logout(ServerHttpSecurity.LogoutSpec::disable)
                .anonymous(ServerHttpSecurity.AnonymousSpec::disable)
                .headers(ServerHttpSecurity.HeaderSpec::disable)
                .requestCache(cache -> cache.requestCache(NoOpServerRequestCache.getInstance()))
                .securityContextRepository(NoOpServerSecurityContextRepository.getInstance());
        if (!properties.enabled()) {
            log.warn("zipflux.security.enabled is false: every request is let in as an admin");
            return http.authorizeExchange(routes -> routes.anyExchange().permitAll()).build();
        }
        ProblemAnswers answers = new ProblemAnswers();
        CredentialCheck check = new CredentialCheck(keys, tokens(jwtDecoder.getIfAvailable(), properties));
        return http
                .authorizeExchange(routes -> routes
                        .pathMatchers(HttpMethod.OPTIONS, "/**").permitAll()
                        .matchers(new AndServerWebExchangeMatcher(new ManagementPort(environment),
                                ServerWebExchangeMatchers.pathMatchers("/actuator/prometheus"))).permitAll()
                        .pathMatchers("/api/v1/keys", "/api/v1/keys/**").hasRole("ADMIN")
                        .pathMatchers("/api/v1/**", "/actuator/prometheus").authenticated()
                        .anyExchange().permitAll())
                .oauth2ResourceServer(server -> server
                        .authenticationManagerResolver(exchange -> Mono.just(check))
                        .authenticationEntryPoint(answers)
                        .accessDeniedHandler(answers))
                .exceptionHandling(refusals -> refusals
                        .authenticationEntryPoint(answers)
                        .accessDeniedHandler(answers))
                .build();
    }

    /**
     * The request firewall's refusals (encoded separators, ';', '..', NUL...) as the 404 problem that such a
     * path has always had (an HTML page for browsers), rather than the firewall's own empty 400.
     */
    @Bean
    ServerExchangeRejectedHandler refusedUrls() {
        return (exchange, refusal) -> {
            log.debug("Refused {}: {}", exchange.getRequest().getPath(), refusal.getMessage());
            return Mono.error(new AccessProblems.RefusedUrl());
        };
    }

    /** Tokens of the identity provider named by {@code spring.security.oauth2.resourceserver.jwt.*}; null when none is. */
    private static JwtReactiveAuthenticationManager tokens(ReactiveJwtDecoder decoder, AccessProperties properties) {
        if (decoder == null) {
            return null;
        }
        JwtReactiveAuthenticationManager tokens = new JwtReactiveAuthenticationManager(decoder);
        tokens.setJwtAuthenticationConverter(new JwtCallers(properties));
        return tokens;
    }
}
