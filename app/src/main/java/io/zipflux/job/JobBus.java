package io.zipflux.job;

import java.util.UUID;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The port between jobs and the message broker: one topic per job type, at-least-once. The job row
 * is the truth; a message only says "job X of type T wants running".
 */
public interface JobBus {

    /** Completes once the broker has taken the message. */
    Mono<Void> publish(String type, UUID jobId);

    /**
     * Deliveries for one job type, for as long as the flux is subscribed; the broker connection is
     * retried underneath. Acknowledge a delivery after the job's state is saved.
     */
    Flux<Delivery> deliveries(String type);

    /** One message: the job id and the way to acknowledge it. */
    record Delivery(UUID jobId, Runnable acknowledgement) {

        public void acknowledge() {
            acknowledgement.run();
        }
    }
}
