package io.zipflux.job.urlarchive;

import java.nio.file.Path;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.core.env.Environment;

import io.zipflux.job.JobsClient;
import io.zipflux.security.TestKeys;

/** What url-archive tests against the test origin share: the origin (one per class), the client, the job folders. */
@UrlArchiveInstance
abstract class OriginTests {

    static final int MIB = 1 << 20;

    /** The name of the client key the tests call with, so the creator of their jobs. */
    static final String CALLER = "url-archives";

    static TestOrigin origin;

    @LocalServerPort
    private int port;

    @Autowired
    private Environment environment;

    /** This test's own client key. */
    private String key;

    @BeforeEach
    void clientKey() {
        key = TestKeys.client(environment, CALLER);
    }

    @BeforeAll
    static void startOrigin() {
        origin = TestOrigin.start();
    }

    @AfterAll
    static void stopOrigin() {
        origin.close();
    }

    UrlArchives archives() {
        return new UrlArchives(new JobsClient(port, key));
    }

    /** Where the files of a job are kept (the shared data folder of the tests). */
    static Path folderOf(String jobId) {
        return Path.of(System.getProperty("java.io.tmpdir"), "zipflux-test-data", "url-archives", jobId);
    }
}
