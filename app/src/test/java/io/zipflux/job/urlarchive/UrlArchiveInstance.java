package io.zipflux.job.urlarchive;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;

/**
 * The instance url-archive tests share: the address policy refuses every non-public address but
 * 127.0.0.1 (where the test origin listens), short backoffs and timeouts, a 30 MB file and 40 MB job limit.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT, properties = {
        "zipflux.data-dir=${java.io.tmpdir}/zipflux-test-data",
        "zipflux.archive.photos-dir=${java.io.tmpdir}/zipflux-test-photos",
        "zipflux.fetch.allow-private=false",
        "zipflux.fetch.allowed-addresses=127.0.0.1/32",
        "zipflux.fetch.backoff.initial=50ms",
        "zipflux.fetch.backoff.max=400ms",
        "zipflux.fetch.retries=4",
        "zipflux.fetch.response-timeout=2s",
        "zipflux.fetch.max-file-size=30MB",
        "zipflux.fetch.max-total-size=40MB",
        "zipflux.fetch.max-entries=20",
})
@interface UrlArchiveInstance {
}
