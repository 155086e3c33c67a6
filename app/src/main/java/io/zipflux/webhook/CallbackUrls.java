package io.zipflux.webhook;

import reactor.core.publisher.Mono;

import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;
import org.springframework.web.ErrorResponseException;

import io.zipflux.outbound.OutboundHttp;
import io.zipflux.outbound.OutboundRefusedException;

/** Checks the callback URL a job-creating request gives, before the job is accepted. */
@Component
public class CallbackUrls {

    private final OutboundHttp outbound;

    private final WebhookSigner signer;

    CallbackUrls(OutboundHttp outbound, WebhookSigner signer) {
        this.outbound = outbound;
        this.signer = signer;
    }

    /**
     * Completes when {@code url} may be called back (nothing to check when it is null); 400 when it is
     * malformed, not http(s), or resolves to an address the outbound policy refuses, or when webhooks
     * are not configured (no secret to sign with).
     */
    public Mono<Void> check(String url) {
        if (url == null) {
            return Mono.empty();
        }
        if (!signer.configured()) {
            return Mono.error(new Refused("webhooks are not configured on this server (no zipflux.webhooks.secret), "
                    + "so callbackUrl cannot be used"));
        }
        return Mono.defer(() -> outbound.check(url))
                .onErrorMap(OutboundRefusedException.class, refused -> new Refused("callbackUrl is refused: "
                        + refused.getMessage()))
                .then();
    }

    /** 400: a callback URL that cannot be used. */
    static final class Refused extends ErrorResponseException {
        Refused(String detail) {
            super(HttpStatus.BAD_REQUEST);
            getBody().setTitle("Callback URL refused");
            getBody().setDetail(detail);
        }
    }
}
