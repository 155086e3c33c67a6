package io.zipflux.archive;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.core.env.Environment;

import io.zipflux.security.TestKeys;

import static org.assertj.core.api.Assertions.assertThat;

/** With a link secret set, archives answer only signed links: valid, expired, tampered, resumed, and signed by the README's recipe. */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT, properties = {
        "zipflux.archive.photos-dir=${java.io.tmpdir}/zipflux-test-photos",
        "zipflux.archive.chunk-size=16KB",
        "zipflux.archive.link-secret=" + SignedLinksTest.SECRET,
        "zipflux.archive.link-max-ttl=2h",
})
class SignedLinksTest {

    static final String SECRET = "test-link-secret-of-32-bytes-abc";

    private static final ObjectMapper JSON = new ObjectMapper();

    private static Path album;

    @LocalServerPort
    private int port;

    @Autowired
    private Environment environment;

    /** This test's own client key. */
    private String key;

    @BeforeEach
    void clientKey() {
        key = TestKeys.client(environment, "signed-links");
    }

    @BeforeAll
    static void photos() {
        album = TestPhotos.folder("signed-album");
        TestPhotos.randomFile(album, "one.jpg", 200_000);
        TestPhotos.randomFile(album, "sub/two.jpg", 150_001);
        TestPhotos.file(album, "notes.txt", "signed\n".repeat(100).getBytes());
        TestPhotos.randomFile(TestPhotos.folder("signed-other"), "other.jpg", 10_000);
    }

    /** Follows links as a browser does: without a credential. */
    private ArchiveClient client() {
        return new ArchiveClient(port);
    }

    /** Asks the API for links, with this test's key. */
    private ArchiveClient signer() {
        return new ArchiveClient(port, key);
    }

    /** The test's own signer, written from the contract (DESIGN §7), not from the service's code. */
    private static String link(String hash, long expires) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        byte[] digest = mac.doFinal((hash + ":" + expires).getBytes(StandardCharsets.UTF_8));
        return "/archive/" + hash + "/?expires=" + expires + "&signature="
                + Base64.getUrlEncoder().withoutPadding().encodeToString(digest);
    }

    private static long inTenMinutes() {
        return Instant.now().plus(Duration.ofMinutes(10)).getEpochSecond();
    }

    private JsonNode problem(HttpResponse<byte[]> response) throws Exception {
        assertThat(response.headers().firstValue("Content-Type")).hasValue("application/problem+json");
        return JSON.readTree(response.body());
    }

    @Test
    void linkFromTheApiDownloadsAnArchiveThatUnzips() throws Exception {
        HttpResponse<String> answer = signer().postJson("/api/v1/links", "{\"hash\": \"signed-album\", \"ttl\": \"PT10M\"}");
        JsonNode link = JSON.readTree(answer.body());

        assertThat(answer.statusCode()).isEqualTo(200);
        assertThat(link.get("url").asText()).startsWith("/archive/signed-album/?expires=");
        Instant expiresAt = Instant.parse(link.get("expiresAt").asText());
        assertThat(expiresAt).isBetween(Instant.now().plusSeconds(590), Instant.now().plusSeconds(601));
        Path zip = client().downloadToTemp(link.get("url").asText());
        ZipReaders.unzipTest(zip);
        assertThat(ZipReaders.javaZip(zip)).isEqualTo(ZipReaders.expected(album));
    }

    @Test
    void linkSignedByTheReadmePythonRecipeIsAccepted() throws Exception {
        String recipe = readmeRecipe();
        Path script = Files.createTempFile("sign-link", ".py");
        script.toFile().deleteOnExit();
        Files.writeString(script, recipe);

        String url = ZipReaders.run("env", "LINK_SECRET=" + SECRET, "HASH=signed-album",
                ZipReaders.python3(), script.toString()).strip();

        assertThat(url).startsWith("/archive/signed-album/?expires=");
        HttpResponse<byte[]> response = client().get(url);
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEqualTo(client().get(link("signed-album", inTenMinutes())).body());
    }

    /** The first ```python block of the README's "Signed links" section, as a site would copy it. */
    private static String readmeRecipe() throws Exception {
        String readme = Files.readString(Path.of("..", "README.md"));
        String section = readme.substring(readme.indexOf("## Signed links"));
        int start = section.indexOf("```python\n") + "```python\n".length();
        return section.substring(start, section.indexOf("```", start));
    }

    @Test
    void expiredLinkIsGone() throws Exception {
        String expired = link("signed-album", Instant.now().minusSeconds(60).getEpochSecond());

        HttpResponse<byte[]> response = client().get(expired);

        assertThat(response.statusCode()).isEqualTo(410);
        assertThat(problem(response).get("title").asText()).isEqualTo("Link expired");
        assertThat(client().get(link("signed-album", inTenMinutes())).statusCode()).isEqualTo(200);
    }

    @Test
    void linkOfAnotherArchiveIsForbidden() throws Exception {
        String other = link("signed-other", inTenMinutes());
        String tampered = other.replace("/archive/signed-other/", "/archive/signed-album/");

        HttpResponse<byte[]> response = client().get(tampered);

        assertThat(response.statusCode()).isEqualTo(403);
        assertThat(problem(response).get("status").asInt()).isEqualTo(403);
        assertThat(client().get(other).statusCode()).isEqualTo(200);
    }

    @Test
    void laterExpiryUnderTheSameSignatureIsForbidden() throws Exception {
        long expires = inTenMinutes();
        String genuine = link("signed-album", expires);
        String tampered = genuine.replace("expires=" + expires, "expires=" + (expires + 86_400));

        assertThat(client().get(tampered).statusCode()).isEqualTo(403);
        assertThat(client().get(genuine).statusCode()).isEqualTo(200);
    }

    @Test
    void missingOrMalformedSignatureIsForbidden() throws Exception {
        long expires = inTenMinutes();
        String genuine = link("signed-album", expires);

        assertThat(client().get("/archive/signed-album/").statusCode()).isEqualTo(403);
        assertThat(client().get("/archive/signed-album/?expires=" + expires).statusCode()).isEqualTo(403);
        assertThat(client().get(genuine.substring(0, genuine.indexOf("&"))).statusCode()).isEqualTo(403);
        assertThat(client().get(genuine + "!!").statusCode()).isEqualTo(403);
        assertThat(client().get(genuine.replace("expires=", "expires=-")).statusCode()).isEqualTo(403);
        assertThat(client().get(genuine).statusCode()).isEqualTo(200);
    }

    @Test
    void refusalIsAnHtmlPageForBrowsers() throws Exception {
        HttpResponse<byte[]> response = client().get("/archive/signed-album/", "Accept", "text/html");

        assertThat(response.statusCode()).isEqualTo(403);
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(type -> assertThat(type).startsWith("text/html"));
        assertThat(new String(response.body(), StandardCharsets.UTF_8)).contains("<h1>Link not signed</h1>");
    }

    @Test
    void rangeResumeWithTheSameLinkReturnsTheExactSlice() throws Exception {
        String link = link("signed-album", inTenMinutes());
        byte[] whole = client().get(link).body();
        String etag = client().head(link).headers().firstValue("ETag").orElseThrow();

        HttpResponse<byte[]> rest = client().get(link, "Range", "bytes=123457-", "If-Range", etag);

        assertThat(rest.statusCode()).isEqualTo(206);
        assertThat(rest.headers().firstValue("Content-Range")).hasValue("bytes 123457-" + (whole.length - 1) + "/" + whole.length);
        assertThat(rest.body()).isEqualTo(Arrays.copyOfRange(whole, 123_457, whole.length));
    }

    @Test
    void headNeedsTheSignatureToo() throws Exception {
        String link = link("signed-album", inTenMinutes());

        HttpResponse<Void> signed = client().head(link);
        HttpResponse<Void> unsigned = client().head("/archive/signed-album/");

        assertThat(signed.statusCode()).isEqualTo(200);
        assertThat(signed.headers().firstValueAsLong("Content-Length")).hasValue(client().get(link).body().length);
        assertThat(unsigned.statusCode()).isEqualTo(403);
    }

    @Test
    void signedLinkWorksWithoutTheTrailingSlash() throws Exception {
        String link = link("signed-album", inTenMinutes()).replace("/archive/signed-album/?", "/archive/signed-album?");

        HttpResponse<byte[]> response = client().get(link);

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).hasValue("application/zip");
        assertThat(client().get("/archive/signed-album").statusCode()).isEqualTo(403);
    }

    @Test
    void unknownArchiveWithAValidSignatureIsNotFound() throws Exception {
        assertThat(client().get(link("no-such-album", inTenMinutes())).statusCode()).isEqualTo(404);
        assertThat(client().get("/archive/no-such-album/").statusCode()).isEqualTo(403);
    }

    @Test
    void ttlOverTheCapIsRefusedNamingTheCap() throws Exception {
        HttpResponse<String> over = signer().postJson("/api/v1/links", "{\"hash\": \"signed-album\", \"ttl\": \"PT3H\"}");
        HttpResponse<String> atCap = signer().postJson("/api/v1/links", "{\"hash\": \"signed-album\", \"ttl\": \"PT2H\"}");

        assertThat(over.statusCode()).isEqualTo(400);
        assertThat(over.headers().firstValue("Content-Type")).hasValue("application/problem+json");
        assertThat(JSON.readTree(over.body()).get("detail").asText()).contains("PT2H").contains("zipflux.archive.link-max-ttl");
        assertThat(atCap.statusCode()).isEqualTo(200);
    }

    @Test
    void linkWithoutTtlLastsOneHour() throws Exception {
        HttpResponse<String> answer = signer().postJson("/api/v1/links", "{\"hash\": \"signed-album\"}");

        Instant expiresAt = Instant.parse(JSON.readTree(answer.body()).get("expiresAt").asText());
        assertThat(expiresAt).isBetween(Instant.now().plusSeconds(3590), Instant.now().plusSeconds(3601));
    }

    @Test
    void malformedLinkRequestsAreBadRequests() throws Exception {
        assertThat(signer().postJson("/api/v1/links", "{\"hash\": \"signed-album\", \"ttl\": \"10 minutes\"}").statusCode())
                .isEqualTo(400);
        assertThat(signer().postJson("/api/v1/links", "{\"hash\": \"signed-album\", \"ttl\": \"PT0S\"}").statusCode())
                .isEqualTo(400);
        assertThat(signer().postJson("/api/v1/links", "{\"ttl\": \"PT10M\"}").statusCode()).isEqualTo(400);
        assertThat(signer().postJson("/api/v1/links", "{not json").statusCode()).isEqualTo(400);
        assertThat(signer().postJson("/api/v1/links", "").statusCode()).isEqualTo(400);
    }

    @Test
    void linkToAnUnknownOrInvalidHashIsNotFound() throws Exception {
        HttpResponse<String> unknown = signer().postJson("/api/v1/links", "{\"hash\": \"no-such-album\"}");
        HttpResponse<String> invalid = signer().postJson("/api/v1/links", "{\"hash\": \"../signed-album\"}");

        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(unknown.headers().firstValue("Content-Type")).hasValue("application/problem+json");
        assertThat(invalid.statusCode()).isEqualTo(404);
    }

    @Test
    void openApiDescribesTheLinkRouteAndTheSignatureParameters() throws Exception {
        JsonNode paths = JSON.readTree(client().get("/v3/api-docs").body()).get("paths");

        assertThat(paths.at("/~1api~1v1~1links/post/operationId").asText()).isEqualTo("signArchiveLink");
        assertThat(paths.at("/~1archive~1{hash}~1/get/parameters").findValuesAsText("name"))
                .contains("expires", "signature");
        assertThat(paths.at("/~1archive~1{hash}~1/get/responses").has("410")).isTrue();
    }
}
