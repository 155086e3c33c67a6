package io.zipflux;

import io.zipflux.system.SeedFlags;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/** Entry point: the zipflux file service. */
@SpringBootApplication
@ConfigurationPropertiesScan
public class ZipfluxApplication {

    public static void main(String[] args) {
        SpringApplication.run(ZipfluxApplication.class, SeedFlags.translate(args));
    }
}
