package io.zipflux.security;

import java.util.Collection;

import reactor.core.publisher.Mono;

import org.springframework.core.convert.converter.Converter;
import org.springframework.security.authentication.AbstractAuthenticationToken;
import org.springframework.security.authentication.BadCredentialsException;
import org.springframework.security.oauth2.jwt.Jwt;

/** A token from the identity provider as a {@link Caller}: its subject, an admin when the role claim says so. */
final class JwtCallers implements Converter<Jwt, Mono<AbstractAuthenticationToken>> {

    private final String roleClaim;

    private final String adminRole;

    JwtCallers(AccessProperties properties) {
        this.roleClaim = properties.jwtRoleClaim();
        this.adminRole = properties.jwtAdminRole();
    }

    @Override
    public Mono<AbstractAuthenticationToken> convert(Jwt jwt) {
        String subject = jwt.getSubject();
        if (subject == null || subject.isBlank()) {
            return Mono.error(new BadCredentialsException("The token names no subject (sub)."));
        }
        return Mono.just(new CallerAuthentication(new Caller(subject, isAdmin(jwt.getClaims().get(roleClaim)))));
    }

    private boolean isAdmin(Object role) {
        if (role instanceof Collection<?> roles) {
            return roles.stream().anyMatch(adminRole::equals);
        }
        return adminRole.equals(role);
    }
}
