package io.zipflux.system;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.apache.kafka.common.utils.Exit;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.logging.LogLevel;
import org.springframework.boot.logging.LoggingSystem;
import org.springframework.kafka.test.EmbeddedKafkaKraftBroker;

/**
 * A real Kafka broker (KRaft, in-process) and a real PostgreSQL (embedded), started once per JVM
 * for the test suite and for the local run; stopped when the JVM exits.
 */
public final class LocalServices {

    private static final Logger log = LoggerFactory.getLogger(LocalServices.class);

    private static LocalServices started;

    /**
     * Kafka's test kit deletes each broker's temp folder in a JVM shutdown hook of its own, which would run beside the
     * broker's stop (dozens of "log dir" warnings and errors at every exit): those deletions are run here instead,
     * after the broker has stopped.
     */
    private static final List<Runnable> KAFKA_TEMP_DELETIONS = new CopyOnWriteArrayList<>();

    private final EmbeddedKafkaKraftBroker kafka;

    private final EmbeddedPostgres postgres;

    private int databases;

    private LocalServices(EmbeddedKafkaKraftBroker kafka, EmbeddedPostgres postgres) {
        this.kafka = kafka;
        this.postgres = postgres;
    }

    /** The running services, started on first use. */
    public static synchronized LocalServices get() {
        if (started == null) {
            started = new LocalServices(startKafka(), startPostgres());
            // After every application context has closed (Spring Boot runs its shutdown handlers then), so that
            // no client of theirs sees its broker or database vanish while it stops: a JVM shutdown hook of our own
            // would run beside Spring's, and a Ctrl-C of the local run would print their errors.
            SpringApplication.getShutdownHandlers().add(started::stop);
            log.info("Local services: Kafka at {}, PostgreSQL at {}", started.kafkaBootstrap(), started.r2dbcUrl());
        }
        return started;
    }

    private static EmbeddedKafkaKraftBroker startKafka() {
        Exit.setShutdownHookAdder((name, deletion) -> KAFKA_TEMP_DELETIONS.add(deletion));
        EmbeddedKafkaKraftBroker broker = new EmbeddedKafkaKraftBroker(1, 4);
        broker.brokerProperty("auto.create.topics.enable", "true");
        broker.afterPropertiesSet();
        return broker;
    }

    private static EmbeddedPostgres startPostgres() {
        try {
            // Stopped by stop() after the application, not by a JVM shutdown hook of its own beside it.
            // The test suite keeps up to 32 application contexts (Spring's context cache), each with its own pool,
            // on this one server: PostgreSQL's default 100 connections run out.
            return EmbeddedPostgres.builder()
                    .setRegisterShutdownHook(false)
                    .setServerConfig("max_connections", "400")
                    .start();
        }
        catch (IOException ex) {
            throw new UncheckedIOException("Embedded PostgreSQL did not start", ex);
        }
    }

    public String kafkaBootstrap() {
        return kafka.getBrokersAsString();
    }

    public String r2dbcUrl() {
        return r2dbcUrl("postgres");
    }

    public String r2dbcUrl(String database) {
        return "r2dbc:postgresql://localhost:" + postgres.getPort() + "/" + database;
    }

    /** A new, empty database, so that each application context has jobs of its own. */
    public synchronized String createDatabase() {
        String name = "zipflux_" + (++databases);
        try (Connection connection = postgres.getPostgresDatabase().getConnection();
             Statement statement = connection.createStatement()) {
            statement.execute("CREATE DATABASE " + name);
            return name;
        }
        catch (SQLException ex) {
            throw new IllegalStateException("Cannot create database " + name, ex);
        }
    }

    public EmbeddedKafkaKraftBroker kafka() {
        return kafka;
    }

    /**
     * Spring properties that point a service at these services, in a database and on topics of its
     * own: contexts of different tests never run each other's jobs.
     */
    public Map<String, Object> properties() {
        String database = createDatabase();
        Map<String, Object> properties = new LinkedHashMap<>();
        properties.put("spring.kafka.bootstrap-servers", kafkaBootstrap());
        properties.put("spring.r2dbc.url", r2dbcUrl(database));
        properties.put("zipflux.jobs.topic-prefix", database + ".");
        log.info("Using Kafka at {} (topics {}*) and PostgreSQL at {}", kafkaBootstrap(), database + ".", r2dbcUrl(database));
        properties.put("spring.r2dbc.username", "postgres");
        properties.put("spring.r2dbc.password", "postgres");
        return properties;
    }

    private void stop() {
        log.info("Stopping the local Kafka broker and PostgreSQL");
        // The broker's own shutdown chatter (one line per partition and log) is not news here.
        LoggingSystem logging = LoggingSystem.get(LocalServices.class.getClassLoader());
        for (String broker : List.of("kafka", "org.apache.kafka", "state.change.logger")) {
            logging.setLogLevel(broker, LogLevel.ERROR);
        }
        kafka.destroy();
        KAFKA_TEMP_DELETIONS.forEach(Runnable::run);
        try {
            postgres.close();
        }
        catch (IOException ex) {
            log.warn("Embedded PostgreSQL did not stop cleanly", ex);
        }
    }
}
