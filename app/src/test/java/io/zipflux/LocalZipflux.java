package io.zipflux;

import java.util.Map;

import org.springframework.boot.SpringApplication;

import io.zipflux.system.LocalServicesInitializer;
import io.zipflux.system.SeedFlags;

/**
 * The local run: zipflux with a real in-process Kafka broker (KRaft) and a real embedded PostgreSQL,
 * started for it. Lives with the tests so that the production jar never starts embedded services.
 * Run it with {@code mvn -pl app spring-boot:test-run} (see the README); it prints an admin key.
 */
public final class LocalZipflux {

    private LocalZipflux() {
    }

    public static void main(String[] args) {
        // LocalServicesInitializer is registered in the test sources' META-INF/spring.factories,
        // which is on the classpath of this (test-scope) run; added here too so the intent is plain.
        SpringApplication application = new SpringApplication(ZipfluxApplication.class);
        application.addInitializers(new LocalServicesInitializer());
        // Origins and webhook receivers of a local run are usually on this machine.
        application.setDefaultProperties(Map.of("zipflux.fetch.allow-private", "true"));
        LocalAdminKey.create(application.run(SeedFlags.translate(args)));
    }
}
