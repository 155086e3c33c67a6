package io.zipflux.archive;

import java.net.http.HttpResponse;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;

/** Without a link secret, archives stay open (link parameters ignored) and the link API says signing is off. */
@ArchiveServiceTest
class LinksOffTest {

    @LocalServerPort
    private int port;

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
        HttpResponse<String> answer = new ArchiveClient(port).postJson("/api/v1/links", "{\"hash\": \"open-album\"}");

        assertThat(answer.statusCode()).isEqualTo(409);
        assertThat(answer.headers().firstValue("Content-Type")).hasValue("application/problem+json");
        assertThat(new ObjectMapper().readTree(answer.body()).get("detail").asText()).contains("zipflux.archive.link-secret");
    }
}
