package io.zipflux.jobbus;

import java.time.Duration;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.clients.admin.DescribeClusterResult;
import org.apache.kafka.common.KafkaFuture;
import reactor.core.publisher.Mono;

import org.springframework.beans.factory.DisposableBean;
import org.springframework.boot.actuate.health.Health;
import org.springframework.stereotype.Component;

import io.zipflux.system.BackgroundHealth;
import io.zipflux.system.HealthProperties;

/**
 * Health of the Kafka broker, as the job topics see it: UP when the cluster described itself at the last
 * background check. The check waits on the admin client's futures without holding a thread.
 */
@Component("kafka")
class KafkaHealthIndicator extends BackgroundHealth implements DisposableBean {

    private final Admin admin;

    private final int timeoutMs;

    KafkaHealthIndicator(KafkaSettings settings, HealthProperties properties) {
        super("Kafka", properties);
        this.admin = Admin.create(settings.admin());
        this.timeoutMs = (int) properties.timeout().toMillis();
    }

    @Override
    protected Mono<Health> check() {
        DescribeClusterResult cluster = admin.describeCluster(new DescribeClusterOptions().timeoutMs(timeoutMs));
        return Mono.zip(completion(cluster.clusterId()), completion(cluster.nodes()))
                .map(described -> Health.up()
                        .withDetail("clusterId", described.getT1())
                        .withDetail("nodes", described.getT2().size())
                        .build());
    }

    /** The future's outcome; nothing to cancel, since the admin client ends the call by its own timeout. */
    private static <T> Mono<T> completion(KafkaFuture<T> future) {
        return Mono.create(sink -> future.whenComplete((value, error) -> {
            if (error != null) {
                sink.error(error);
            }
            else {
                sink.success(value);
            }
        }));
    }

    @Override
    public void destroy() {
        admin.close(Duration.ofSeconds(1));
    }
}
