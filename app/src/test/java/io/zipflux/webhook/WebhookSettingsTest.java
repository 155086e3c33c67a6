package io.zipflux.webhook;

import java.util.Map;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.core.env.Environment;

import io.zipflux.ZipfluxApplication;
import io.zipflux.job.JobsClient;
import io.zipflux.job.JobsClient.Answer;
import io.zipflux.security.TestKeys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Webhook settings: an instance without a secret refuses callback URLs; a bad secret stops start-up. */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT, properties = {
        "zipflux.data-dir=${java.io.tmpdir}/zipflux-test-data",
        "zipflux.archive.photos-dir=${java.io.tmpdir}/zipflux-test-photos",
        "zipflux.fetch.allow-private=true",
})
class WebhookSettingsTest {

    @LocalServerPort
    private int port;

    @Autowired
    private Environment environment;

    /** This test's own client key. */
    private String key;

    @BeforeEach
    void clientKey() {
        key = TestKeys.client(environment, "webhook-settings");
    }

    @Test
    void callbackUrlIsRefusedWhileNoSecretIsConfigured() {
        JobsClient api = new JobsClient(port, key);

        Answer refused = api.post("/api/v1/exports?" + WebhookReceiver.query("http://127.0.0.1:9/hook"));

        assertThat(refused.status()).isEqualTo(400);
        assertThat(refused.contentType()).startsWith("application/problem+json");
        assertThat(refused.body().get("detail").asText()).contains("webhooks are not configured");
        assertThat(api.post("/api/v1/exports").status()).as("the same request without callbackUrl").isEqualTo(202);
    }

    @Test
    void badSecretOrLeaseFailsStartUpSayingWhy() {
        Map<String, String> cases = Map.of(
                "--zipflux.webhooks.secret=c2VjcmV0LXdpdGhvdXQtcHJlZml4LTMyLWJ5dGVzISE=", "each secret starts with 'whsec_'",
                "--zipflux.webhooks.secret=whsec_not*base64", "is not base64",
                "--zipflux.webhooks.secret=whsec_c2hvcnQ=", "24 to 64 bytes, one holds 5",
                "--zipflux.webhooks.lease=5s", "must be longer than zipflux.webhooks.timeout");
        cases.forEach((setting, reason) -> assertThatThrownBy(() -> new SpringApplicationBuilder(ZipfluxApplication.class)
                        .run("--server.port=0", setting).close())
                .as(setting)
                .satisfies(error -> assertThat(causes(error)).contains(reason)));
    }

    private static String causes(Throwable error) {
        StringBuilder messages = new StringBuilder();
        for (Throwable cause = error; cause != null; cause = cause.getCause()) {
            messages.append(cause.getMessage()).append('\n');
        }
        return messages.toString();
    }
}
