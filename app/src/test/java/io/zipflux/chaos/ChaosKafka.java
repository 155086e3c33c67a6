package io.zipflux.chaos;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.apache.kafka.common.Uuid;

/**
 * A real Kafka broker (KRaft, broker and controller in one JVM of the test classpath, {@code kafka.Kafka})
 * on fixed ports, its log folder formatted once with one cluster id: killed with SIGKILL and started
 * again, it comes back with its topics, offsets and consumer groups.
 */
final class ChaosKafka {

    private final int port;

    private final Path home;

    private final ChildProcess broker;

    private ChaosKafka(int port, Path home, ChildProcess broker) {
        this.port = port;
        this.home = home;
        this.broker = broker;
    }

    /** Writes the broker's settings, formats its log folder and starts it. */
    static ChaosKafka start(Path home, Duration limit) throws Exception {
        Files.createDirectories(home);
        int port = Ports.free();
        int controllerPort = Ports.free();
        Path settings = home.resolve("server.properties");
        Files.writeString(settings, String.join("\n",
                "process.roles=broker,controller",
                "node.id=1",
                "controller.quorum.voters=1@127.0.0.1:" + controllerPort,
                "listeners=PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort,
                "advertised.listeners=PLAINTEXT://127.0.0.1:" + port,
                "controller.listener.names=CONTROLLER",
                "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
                "inter.broker.listener.name=PLAINTEXT",
                "log.dirs=" + home.resolve("logs"),
                "offsets.topic.replication.factor=1",
                "offsets.topic.num.partitions=4",
                "transaction.state.log.replication.factor=1",
                "transaction.state.log.min.isr=1",
                "group.initial.rebalance.delay.ms=0",
                "auto.create.topics.enable=true",
                "num.partitions=4", ""));
        // Kafka logs through the test classpath's logback: its INFO lines (thousands a start) slow a busy machine.
        Path logging = home.resolve("logback.xml");
        Files.writeString(logging, "<configuration><appender name=\"out\" class=\"ch.qos.logback.core.ConsoleAppender\">"
                + "<encoder><pattern>%d %level %logger{30}: %msg%n</pattern></encoder></appender>"
                + "<root level=\"WARN\"><appender-ref ref=\"out\"/></root></configuration>\n");
        List<String> heap = List.of("-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-Dlogback.configurationFile=" + logging);
        ChildProcess format = new ChildProcess("kafka-format", ChildProcess.javaCommand(heap, "kafka.tools.StorageTool",
                "format", "-t", Uuid.randomUuid().toString(), "-c", settings.toString()), Map.of(), home);
        if (format.runToEnd(limit.toSeconds()) != 0) {
            throw new IllegalStateException("formatting the Kafka log folder failed; see " + format.log());
        }
        ChaosKafka kafka = new ChaosKafka(port, home, new ChildProcess("kafka",
                ChildProcess.javaCommand(heap, "kafka.Kafka", settings.toString()), Map.of(), home));
        kafka.startAgain(limit);
        return kafka;
    }

    String bootstrap() {
        return "127.0.0.1:" + port;
    }

    /** Starts the broker on its folder and waits until it takes connections. */
    void startAgain(Duration limit) throws Exception {
        broker.start();
        Ports.awaitListening(port, limit, broker);
    }

    void kill() throws InterruptedException {
        broker.kill();
    }

    Path home() {
        return home;
    }
}
