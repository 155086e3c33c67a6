package io.zipflux.archive;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.ServerResponse;

import static org.springframework.web.reactive.function.server.RouterFunctions.route;

/** Routes of the archive endpoint; HEAD is routed on its own so that it never packs anything. */
@Configuration(proxyBeanMethods = false)
class ArchiveRoutes {

    @Bean
    RouterFunction<ServerResponse> archiveRouter(ArchiveHandler handler) {
        return route()
                .HEAD("/archive/{hash}", handler::head)
                .HEAD("/archive/{hash}/", handler::head)
                .GET("/archive/{hash}", handler::download)
                .GET("/archive/{hash}/", handler::download)
                .build();
    }
}
