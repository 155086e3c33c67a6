package io.zipflux.jobbus;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.DescribeClusterResult;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

import org.springframework.beans.factory.DisposableBean;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.ReactiveHealthIndicator;
import org.springframework.stereotype.Component;

/** Health of the Kafka broker, as the job topics see it: UP when the cluster answers within 3 s. */
@Component("kafka")
class KafkaHealthIndicator implements ReactiveHealthIndicator, DisposableBean {

    private final Admin admin;

    KafkaHealthIndicator(KafkaSettings settings) {
        this.admin = Admin.create(settings.admin());
    }

    @Override
    public Mono<Health> health() {
        return Mono.fromCallable(this::describe)
                .subscribeOn(Schedulers.boundedElastic())
                .timeout(Duration.ofSeconds(4))
                .onErrorResume(error -> Mono.just(Health.down(error).build()));
    }

    private Health describe() throws Exception {
        DescribeClusterResult cluster = admin.describeCluster();
        return Health.up()
                .withDetail("clusterId", cluster.clusterId().get(3, TimeUnit.SECONDS))
                .withDetail("nodes", cluster.nodes().get(3, TimeUnit.SECONDS).size())
                .build();
    }

    @Override
    public void destroy() {
        admin.close(Duration.ofSeconds(1));
    }
}
