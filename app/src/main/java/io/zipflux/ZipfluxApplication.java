package io.zipflux;

import io.zipflux.security.KeysCommand;
import io.zipflux.system.SeedFlags;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.autoconfigure.security.reactive.ReactiveUserDetailsServiceAutoConfiguration;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/** Entry point: the zipflux file service. */
@SpringBootApplication(exclude = ReactiveUserDetailsServiceAutoConfiguration.class)
@ConfigurationPropertiesScan
public class ZipfluxApplication {

    public static void main(String[] args) {
        if (KeysCommand.handles(args)) {
            System.exit(KeysCommand.run(args));
        }
        SpringApplication.run(ZipfluxApplication.class, SeedFlags.translate(args));
    }
}
