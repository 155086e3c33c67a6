package io.zipflux.system;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;

import org.springframework.core.annotation.Order;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.stereotype.Component;
import org.springframework.web.ErrorResponse;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.util.HtmlUtils;
import org.springframework.boot.web.reactive.error.ErrorWebExceptionHandler;

/**
 * The one place errors become responses: RFC 9457 {@code application/problem+json}, or a small
 * HTML page for browsers. Anything that is not an {@link ErrorResponse} is a bug: logged, and
 * answered 500 without details; the framework's own details are cleaned of class names and paths.
 */
@Component
@Order(-2)
class ProblemErrorHandler implements ErrorWebExceptionHandler {

    private static final Logger log = LoggerFactory.getLogger(ProblemErrorHandler.class);

    private final ObjectMapper json;

    ProblemErrorHandler(ObjectMapper json) {
        this.json = json;
    }

    @Override
    public Mono<Void> handle(ServerWebExchange exchange, Throwable error) {
        // A client that went away is a DEBUG line, and nobody is left to read an answer.
        return ClientAborts.wentAway(exchange.getRequest(), error)
                .flatMap(gone -> gone ? Mono.empty() : answer(exchange, error));
    }

    private Mono<Void> answer(ServerWebExchange exchange, Throwable error) {
        ServerHttpResponse response = exchange.getResponse();
        if (response.isCommitted()) {
            // Mid-stream: the status is sent; failing the exchange makes the server cut the connection,
            // which tells the client the body is incomplete.
            return Mono.error(error);
        }
        ProblemDetail problem = problemOf(error, exchange.getRequest());
        problem.setInstance(URI.create(exchange.getRequest().getPath().value()));
        String requestId = response.getHeaders().getFirst(RequestIds.HEADER);
        if (requestId != null) {
            problem.setProperty(RequestIds.KEY, requestId);
        }
        response.setStatusCode(HttpStatusCode.valueOf(problem.getStatus()));
        if (error instanceof ErrorResponse known) {
            response.getHeaders().addAll(known.getHeaders());
        }
        response.getHeaders().remove("Content-Length");
        response.getHeaders().remove("Content-Disposition");
        boolean html = wantsHtml(exchange.getRequest());
        response.getHeaders().setContentType(html ? MediaType.TEXT_HTML : MediaType.APPLICATION_PROBLEM_JSON);
        byte[] body = html ? page(problem) : toJson(problem);
        return response.writeWith(Mono.fromSupplier(() -> response.bufferFactory().wrap(body)));
    }

    private static ProblemDetail problemOf(Throwable error, ServerHttpRequest request) {
        if (error instanceof ErrorResponse known) {
            ProblemDetail problem = known.getBody();
            if (!PublicErrors.isOurs(error) && problem.getDetail() != null) {
                // The framework's texts may name classes (a body type) or quote a parser's message.
                problem.setDetail(PublicErrors.clean(problem.getDetail()));
            }
            return problem;
        }
        log.error("Unexpected failure on {} {}", request.getMethod(), request.getPath(), error);
        return ProblemDetail.forStatusAndDetail(HttpStatus.INTERNAL_SERVER_ERROR,
                "The server failed to answer; the failure has been logged.");
    }

    private static boolean wantsHtml(ServerHttpRequest request) {
        List<MediaType> accepted = request.getHeaders().getAccept();
        MediaType.sortBySpecificityAndQuality(accepted);
        return !accepted.isEmpty() && accepted.get(0).isCompatibleWith(MediaType.TEXT_HTML)
                && !accepted.get(0).isWildcardType();
    }

    private byte[] toJson(ProblemDetail problem) {
        try {
            return json.writeValueAsBytes(problem);
        }
        catch (JsonProcessingException ex) {
            throw new IllegalStateException("A ProblemDetail always serializes", ex);
        }
    }

    private static byte[] page(ProblemDetail problem) {
        String title = HtmlUtils.htmlEscape(problem.getTitle() == null ? "Error" : problem.getTitle());
        String detail = HtmlUtils.htmlEscape(problem.getDetail() == null ? "" : problem.getDetail());
        String html = """
                <!doctype html>
                <html lang="en"><head><meta charset="utf-8"><title>%d %s</title></head>
                <body><h1>%s</h1><p>%s</p><p><a href="/">zipflux</a></p></body></html>
                """.formatted(problem.getStatus(), title, title, detail);
        return html.getBytes(StandardCharsets.UTF_8);
    }
}
