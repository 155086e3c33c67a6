package io.zipflux.job.urlarchive;

import java.net.http.HttpRequest;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.core.env.Environment;

import io.zipflux.job.JobsClient;
import io.zipflux.job.JobsClient.Answer;
import io.zipflux.security.TestKeys;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What {@code POST /api/v1/archives} refuses, on an instance whose address policy refuses every
 * non-public address (the default): each answer a 400 problem naming the entry and what is wrong.
 * Only loopback URLs are used; a refused one is never connected to.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT, properties = {
        "zipflux.data-dir=${java.io.tmpdir}/zipflux-test-data",
        "zipflux.archive.photos-dir=${java.io.tmpdir}/zipflux-test-photos",
        "zipflux.fetch.allow-private=false",
        "zipflux.fetch.max-entries=3",
})
class UrlArchiveRequestTest {

    @LocalServerPort
    private int port;

    @Autowired
    private Environment environment;

    /** This test's own client key. */
    private String key;

    @BeforeEach
    void clientKey() {
        key = TestKeys.client(environment, "url-archive-requests");
    }

    private Answer post(String json) {
        return new UrlArchives(new JobsClient(port, key)).post(json);
    }

    private void assertRefused(String json, String... detailParts) {
        Answer answer = post(json);
        assertThat(answer.status()).as("POST %s: %s", json, answer.body()).isEqualTo(400);
        assertThat(answer.contentType()).isEqualTo("application/problem+json");
        assertThat(answer.body().get("detail").asText()).contains(detailParts);
    }

    @Test
    void loopbackAddressesInEveryFormAreRefusedNamingTheEntry() {
        String[] refused = {"http://127.0.0.1:9/a", "http://localhost:9/a", "http://[::1]:9/a", "http://[::ffff:127.0.0.1]:9/a"};
        for (String url : refused) {
            Answer answer = post("{\"urls\": [\"" + url + "\"]}");
            assertThat(answer.status()).as("POST with %s: %s", url, answer.body()).isEqualTo(400);
            assertThat(answer.body().get("detail").asText()).contains("entries[0]").contains(url);
            assertThat(answer.body().get("entry").asInt()).isZero();
        }
    }

    @Test
    void badSchemeIsRefusedNamingTheEntry() {
        assertRefused("{\"entries\": [{\"url\": \"http://127.0.0.1:9/a\", \"name\": \"a\"}, {\"url\": \"ftp://127.0.0.1/b\"}]}",
                "entries[1]", "scheme ftp");
    }

    @Test
    void malformedOrIncompleteRequestsAreRefused() {
        assertRefused("{\"entries\": []}", "empty");
        assertRefused("{\"urls\": [\"http://127.0.0.1:9/1\", \"http://127.0.0.1:9/2\", \"http://127.0.0.1:9/3\", \"http://127.0.0.1:9/4\"]}", "4 entries", "max-entries");
        assertRefused("{\"entries\": [{\"name\": \"x\"}]}", "entries[0]", "\"url\"");
        assertRefused("{\"entries\": [{\"url\": \"file:///etc/passwd\"}]}", "entries[0]", "scheme file");
        assertRefused("{\"entries\": [{\"url\": \"/relative\"}]}", "entries[0]", "not an absolute URL");
        assertRefused("{\"urls\": [\"http://127.0.0.1:9/a\"], \"onError\": \"retry\"}", "onError");
        assertRefused("{}", "\"entries\"");
        assertRefused("{\"entries\": [{\"url\": \"http://127.0.0.1:9/1\"}], \"urls\": [\"http://127.0.0.1:9/2\"]}", "not both");
        Answer malformed = new JobsClient(port, key).send("POST", "/api/v1/archives", "application/json",
                HttpRequest.BodyPublishers.ofString("{\"urls\": [\"http://127.0.0.1:9/1\""));
        assertThat(malformed.status()).isEqualTo(400);
        assertThat(malformed.contentType()).isEqualTo("application/problem+json");
    }

    @Test
    void duplicateOrUnsafeNamesAreRefusedNamingTheEntry() {
        assertRefused("{\"entries\": [{\"url\": \"http://127.0.0.1:9/1\", \"name\": \"a.jpg\"}, {\"url\": \"http://127.0.0.1:9/2\", \"name\": \"A.JPG\"}]}",
                "entries[1]", "already the name of entries[0]");
        assertRefused("{\"entries\": [{\"url\": \"http://127.0.0.1:9/1\", \"name\": \"../etc/passwd\"}]}", "entries[0]", "'/'");
        assertRefused("{\"entries\": [{\"url\": \"http://127.0.0.1:9/1\", \"name\": \"..\"}]}", "entries[0]", "not a file name");
        assertRefused("{\"entries\": [{\"url\": \"http://127.0.0.1:9/1\", \"name\": \"a\\u0000b\"}]}", "entries[0]", "control characters");
        assertRefused("{\"entries\": [{\"url\": \"http://127.0.0.1:9/1\", \"name\": \"  \"}]}", "entries[0]", "empty");
    }

    @Test
    void refusedCallbackUrlIsRefused() {
        assertRefused("{\"urls\": [\"http://127.0.0.1:9/1\"], \"callbackUrl\": \"gopher://a/\"}", "callbackUrl", "scheme gopher");
    }
}
