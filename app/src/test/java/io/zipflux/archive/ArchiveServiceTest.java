package io.zipflux.archive;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;

/** The running service on a random port, serving {@link TestPhotos#ROOT}; one shared context. */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT, properties = {
        "zipflux.archive.photos-dir=${java.io.tmpdir}/zipflux-test-photos",
        "zipflux.archive.chunk-size=16KB",
        "zipflux.archive.large-chunk-size=64KB",
        "zipflux.archive.large-chunk-budget=8MB",
})
@interface ArchiveServiceTest {
}
