package io.zipflux.deploy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.zipflux.system.DebianTools;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * deploy/prometheus/alerts.yml checked by Debian's promtool: its unit tests (alerts.test.yml) pass,
 * every alert has a case where it fires, and the scrape configuration of the compose stack loads it.
 */
class AlertRulesTest {

    /** What promtool printed, and how it ended. */
    private record Run(int exit, String output) {
    }

    @Test
    void alertRulesPassTheirUnitTests() throws Exception {
        Path tests = MonitoringFiles.path(MonitoringFiles.ALERT_TESTS);

        Run run = promtool(tests.getParent(), "test", "rules", tests.getFileName().toString());

        assertThat(run.exit()).as("promtool test rules:%n%s", run.output()).isZero();
        assertThat(run.output()).contains("SUCCESS");
    }

    @Test
    void everyAlertHasAUnitTestWhereItFires() throws Exception {
        Set<String> firing = MonitoringFiles.list(MonitoringFiles.yaml(MonitoringFiles.ALERT_TESTS).get("tests")).stream()
                .flatMap(test -> MonitoringFiles.list(test.get("alert_rule_test")).stream())
                .filter(check -> !((List<?>) check.getOrDefault("exp_alerts", List.of())).isEmpty())
                .map(check -> (String) check.get("alertname"))
                .collect(Collectors.toSet());

        assertThat(MonitoringFiles.alerts()).extracting(MonitoringFiles.Alert::name)
                .hasSizeGreaterThanOrEqualTo(7)
                .allSatisfy(name -> assertThat(firing).as("alerts with a firing case").contains(name));
    }

    @Test
    void scrapeConfigLoadsTheAlertRules(@TempDir Path dir) throws Exception {
        Path key = Files.writeString(dir.resolve("zipflux.key"), "zf_not-a-real-key");
        String config = Files.readString(MonitoringFiles.path(MonitoringFiles.SCRAPE_CONFIG))
                .replace("/etc/prometheus/key/zipflux.key", key.toString());
        Files.writeString(dir.resolve("prometheus.yml"), config);
        // Where compose mounts it: beside prometheus.yml.
        Files.copy(MonitoringFiles.path(MonitoringFiles.ALERTS), dir.resolve("alerts.yml"));

        Run run = promtool(dir, "check", "config", "prometheus.yml");

        assertThat(run.exit()).as("promtool check config:%n%s", run.output()).isZero();
        assertThat(run.output()).contains("SUCCESS: " + MonitoringFiles.alerts().size() + " rules found");
        assertThat(Files.readString(MonitoringFiles.path("deploy/docker-compose.yml")))
                .contains("./prometheus/alerts.yml:/etc/prometheus/alerts.yml:ro");
    }

    private static Run promtool(Path dir, String... arguments) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(DebianTools.require("promtool", "prometheus")));
        command.addAll(List.of(arguments));
        Process process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("promtool ended").isTrue();
        return new Run(process.exitValue(), output);
    }
}
