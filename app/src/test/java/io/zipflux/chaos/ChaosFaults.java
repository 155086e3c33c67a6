package io.zipflux.chaos;

import java.util.List;
import java.util.Random;
import java.util.function.Consumer;

/**
 * The fault schedule: a SIGKILL of a random instance every {@code killInterval} (started again at once),
 * the broker killed (SIGKILL) and started again after a third of the kills, PostgreSQL stopped and
 * started again after two thirds.
 */
final class ChaosFaults {

    private final ChaosSettings settings;

    private final List<ChaosInstance> instances;

    private final ChaosKafka kafka;

    private final ChaosPostgres postgres;

    private final Random random;

    private final Consumer<String> log;

    ChaosFaults(ChaosSettings settings, List<ChaosInstance> instances, ChaosKafka kafka, ChaosPostgres postgres,
            Random random, Consumer<String> log) {
        this.settings = settings;
        this.instances = instances;
        this.kafka = kafka;
        this.postgres = postgres;
        this.random = random;
        this.log = log;
    }

    /** Runs every fault; answers when the last one ended (its service started again), System.nanoTime(). */
    long run() throws Exception {
        int brokerAfter = Math.max(1, settings.kills() / 3);
        int postgresAfter = Math.max(2, 2 * settings.kills() / 3);
        for (int kill = 1; kill <= settings.kills(); kill++) {
            Thread.sleep(settings.killInterval().toMillis());
            killAnInstance(kill);
            if (kill == brokerAfter) {
                Thread.sleep(settings.killInterval().toMillis());
                restartBroker();
            }
            if (kill == postgresAfter) {
                Thread.sleep(settings.killInterval().toMillis());
                restartPostgres();
            }
        }
        return System.nanoTime();
    }

    private void killAnInstance(int kill) throws Exception {
        List<ChaosInstance> alive = instances.stream().filter(ChaosInstance::isAlive).toList();
        List<ChaosInstance> from = alive.isEmpty() ? instances : alive;
        ChaosInstance victim = from.get(random.nextInt(from.size()));
        victim.kill();
        log.accept("fault: SIGKILL of " + victim.name() + " (" + kill + " of " + settings.kills() + "); started again");
        victim.start();
    }

    private void restartBroker() throws Exception {
        kafka.kill();
        log.accept("fault: SIGKILL of the Kafka broker; down for " + settings.brokerDown().toSeconds() + " s");
        Thread.sleep(settings.brokerDown().toMillis());
        kafka.startAgain(java.time.Duration.ofSeconds(120));
        log.accept("fault: the Kafka broker is back");
    }

    private void restartPostgres() throws Exception {
        postgres.stop();
        log.accept("fault: PostgreSQL stopped; down for " + settings.postgresDown().toSeconds() + " s");
        Thread.sleep(settings.postgresDown().toMillis());
        postgres.startAgain();
        log.accept("fault: PostgreSQL is back");
    }
}
