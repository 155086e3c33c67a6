package io.zipflux.archive;

import java.net.http.HttpResponse;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.core.env.Environment;

import io.zipflux.security.TestKeys;

import static org.assertj.core.api.Assertions.assertThat;

/** Without a link secret, archives stay open (link parameters ignored) and the link API says signing is off. */
@ArchiveServiceTest
class LinksOffTest {

    @LocalServerPort
    private int port;

    @Autowired
    private Environment environment;

    /** This test's own client key. */
    private String key;

    @BeforeEach
    void clientKey() {
        key = TestKeys.client(environment, "links-off");
    }

    @BeforeAll
    static void photos() {
        TestPhotos.randomFile(TestPhotos.folder("open-album"), "a.jpg", 20_000);
    }

    private ArchiveClient client() {
        return new ArchiveClient(port);
    }

    @Test
    void archiveAnswersWithOrWithoutLinkParameters() throws Exception {
        byte[] plain = client().get("/archive/open-album/").body();

        HttpResponse<byte[]> withJunk = client().get("/archive/open-album/?expires=1&signature=nonsense");

        assertThat(withJunk.statusCode()).isEqualTo(200);
        assertThat(withJunk.body()).isEqualTo(plain);
    }

    @Test
    void linkApiSaysSigningIsOff() throws Exception {
        HttpResponse<String> answer = new ArchiveClient(port, key).postJson("/api/v1/links", "{\"hash\": \"open-album\"}");

        assertThat(answer.statusCode()).isEqualTo(409);
        assertThat(answer.headers().firstValue("Content-Type")).hasValue("application/problem+json");
        assertThat(new ObjectMapper().readTree(answer.body()).get("detail").asText()).contains("zipflux.archive.link-secret");
    }
}
