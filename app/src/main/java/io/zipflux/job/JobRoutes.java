package io.zipflux.job;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.ServerResponse;

import static org.springframework.web.reactive.function.server.RouterFunctions.route;

/** Routes common to every job type. */
@Configuration(proxyBeanMethods = false)
class JobRoutes {

    @Bean
    RouterFunction<ServerResponse> jobRouter(JobHandler handler) {
        return route()
                .GET("/api/v1/jobs", handler::list)
                .GET("/api/v1/jobs/{id}", handler::get)
                .GET("/api/v1/jobs/{id}/events", handler::events)
                .POST("/api/v1/jobs/{id}/{action}", handler::act)
                .build();
    }
}
