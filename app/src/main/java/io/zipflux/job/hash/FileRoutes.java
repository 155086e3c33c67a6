package io.zipflux.job.hash;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.ServerResponse;

import static org.springframework.web.reactive.function.server.RouterFunctions.route;

/** Routes of hash jobs: upload a file, read its hash. */
@Configuration(proxyBeanMethods = false)
class FileRoutes {

    @Bean
    RouterFunction<ServerResponse> fileRouter(FileHandler handler) {
        return route()
                .POST("/api/v1/files", handler::upload)
                .GET("/api/v1/files/{id}/hash", handler::hash)
                .build();
    }
}
