package io.zipflux.archive;

import io.netty.util.internal.PlatformDependent;
import org.junit.jupiter.api.Test;

import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;

/** The crowd's memory settings: derived from the JVM's direct memory limit unless given, and bounded. */
class ArchivePropertiesTest {

    private final ApplicationContextRunner context = new ApplicationContextRunner()
            .withUserConfiguration(Settings.class);

    @Configuration(proxyBeanMethods = false)
    @EnableConfigurationProperties(ArchiveProperties.class)
    static class Settings {
    }

    @Test
    void memoryBoundsDefaultToHalfAndThreeQuartersOfTheDirectMemoryLimit() {
        long limit = PlatformDependent.maxDirectMemory();
        context.run(started -> {
            ArchiveProperties archive = started.getBean(ArchiveProperties.class);
            assertThat(archive.smallChunkBytes()).isEqualTo(16 * 1024);
            assertThat(archive.smallChunkBudgetBytes()).isEqualTo(limit / 2);
            assertThat(archive.streamMemoryLimitBytes()).isEqualTo(limit / 4 * 3);
        });
    }

    @Test
    void givenBoundsAreKeptAndSmallChunksAreNeverLargerThanTheChunkSize() {
        context.withPropertyValues("zipflux.archive.small-chunk-budget=100MB", "zipflux.archive.stream-memory-limit=150MB",
                        "zipflux.archive.chunk-size=8KB", "zipflux.archive.small-chunk-size=32KB")
                .run(started -> {
                    ArchiveProperties archive = started.getBean(ArchiveProperties.class);
                    assertThat(archive.smallChunkBudgetBytes()).isEqualTo(100L << 20);
                    assertThat(archive.streamMemoryLimitBytes()).isEqualTo(150L << 20);
                    assertThat(archive.smallChunkBytes()).isEqualTo(8 * 1024);
                });
    }
}
