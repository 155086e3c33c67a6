package io.zipflux.jobbus;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TopicExistsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import reactor.kafka.receiver.KafkaReceiver;
import reactor.kafka.receiver.ReceiverOptions;
import reactor.kafka.receiver.ReceiverRecord;
import reactor.kafka.sender.KafkaSender;
import reactor.kafka.sender.SenderOptions;
import reactor.kafka.sender.SenderRecord;
import reactor.util.retry.Retry;

import org.springframework.beans.factory.DisposableBean;
import org.springframework.stereotype.Component;

import io.zipflux.job.JobBus;
import io.zipflux.job.JobsProperties;

/**
 * The job bus on Kafka through reactor-kafka: one topic per job type, keyed by job id.
 * Delivery is at-least-once: offsets are committed only for acknowledged messages, in order
 * (out-of-order acknowledgements wait for the gaps before them), and the receive loop reconnects
 * with backoff whenever the broker goes away.
 */
@Component
class KafkaJobBus implements JobBus, DisposableBean {

    private static final Logger log = LoggerFactory.getLogger(KafkaJobBus.class);

    private final KafkaSettings settings;

    private final JobsProperties properties;

    private final MeterRegistry registry;

    private final KafkaSender<String, String> sender;

    private final Map<String, Mono<Void>> topics = new ConcurrentHashMap<>();

    KafkaJobBus(KafkaSettings settings, JobsProperties properties, MeterRegistry registry) {
        this.settings = settings;
        this.properties = properties;
        this.registry = registry;
        this.sender = KafkaSender.create(SenderOptions.create(settings.producer()));
    }

    private String topic(String type) {
        return properties.topicPrefix() + type;
    }

    @Override
    public Mono<Void> publish(String type, UUID jobId) {
        ProducerRecord<String, String> record = new ProducerRecord<>(topic(type), jobId.toString(),
                "{\"jobId\":\"" + jobId + "\",\"type\":\"" + type + "\"}");
        return ensureTopic(type)
                .then(sender.send(Mono.just(SenderRecord.create(record, jobId))).next())
                .flatMap(result -> result.exception() == null ? Mono.<Void>empty() : Mono.error(result.exception()));
    }

    @Override
    public Flux<Delivery> deliveries(String type) {
        AtomicLong lag = lagGauge(type);
        return ensureTopic(type)
                .thenMany(Flux.defer(() -> receive(type, lag)))
                .doOnError(error -> log.warn("Receiving {} jobs failed ({}); reconnecting", type, error.toString()))
                .retryWhen(Retry.backoff(Long.MAX_VALUE, Duration.ofSeconds(1)).maxBackoff(Duration.ofSeconds(10)));
    }

    private Flux<Delivery> receive(String type, AtomicLong lag) {
        ReceiverOptions<String, String> options = ReceiverOptions.<String, String>create(
                        settings.consumer(properties.topicPrefix() + "workers"))
                .subscription(List.of(topic(type)))
                .commitInterval(Duration.ofMillis(200))
                .maxDeferredCommits(10_000);
        KafkaReceiver<String, String> receiver = KafkaReceiver.create(options);
        // A probe slower than its interval (the broker down: endOffsets waits for its timeout) skips ticks;
        // without the drop, interval overflows and its error ends the whole receive loop (a reconnect).
        Flux<ReceiverRecord<String, String>> lagProbe = Flux.interval(Duration.ofSeconds(2))
                .onBackpressureDrop()
                .concatMap(tick -> receiver.doOnConsumer(KafkaJobBus::lagOf)
                        .doOnNext(lag::set)
                        .onErrorResume(error -> Mono.empty()))
                .thenMany(Flux.empty());
        return receiver.receive()
                .mergeWith(lagProbe)
                .concatMap(this::toDelivery);
    }

    private Mono<Delivery> toDelivery(ReceiverRecord<String, String> record) {
        try {
            return Mono.just(new Delivery(UUID.fromString(record.key()), record.receiverOffset()::acknowledge));
        }
        catch (IllegalArgumentException | NullPointerException ex) {
            log.warn("Skipping a message without a job id on {} at offset {}", record.topic(), record.offset());
            record.receiverOffset().acknowledge();
            return Mono.empty();
        }
    }

    private static long lagOf(Consumer<String, String> consumer) {
        Set<TopicPartition> assigned = consumer.assignment();
        Map<TopicPartition, Long> ends = consumer.endOffsets(assigned);
        return assigned.stream()
                .mapToLong(partition -> Math.max(0, ends.getOrDefault(partition, 0L) - consumer.position(partition)))
                .sum();
    }

    private AtomicLong lagGauge(String type) {
        AtomicLong lag = new AtomicLong();
        Gauge.builder("zipflux.jobs.consumer.lag", lag, AtomicLong::get)
                .description("Job messages on this instance's partitions not yet received")
                .tag("type", type)
                .register(registry);
        return lag;
    }

    /** Creates the topic with the configured partitions once; retried by the callers until it works. */
    private Mono<Void> ensureTopic(String type) {
        return topics.computeIfAbsent(type, key -> Mono.<Void>fromRunnable(() -> createTopic(topic(type)))
                .subscribeOn(Schedulers.boundedElastic())
                .doOnError(error -> topics.remove(type))
                .cache());
    }

    private void createTopic(String topic) {
        try (Admin admin = Admin.create(settings.admin())) {
            // Replication: the broker's default, so a cluster's durability settings apply.
            admin.createTopics(List.of(new NewTopic(topic, Optional.of(properties.topicPartitions()), Optional.empty())))
                    .all()
                    .get();
            log.info("Created topic {}", topic);
        }
        catch (java.util.concurrent.ExecutionException ex) {
            if (!(ex.getCause() instanceof TopicExistsException)) {
                throw new IllegalStateException("Cannot create topic " + topic, ex.getCause());
            }
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(ex);
        }
    }

    @Override
    public void destroy() {
        sender.close();
    }
}
