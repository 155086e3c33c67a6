package io.zipflux.deploy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.autoconfigure.actuate.observability.AutoConfigureObservability;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.core.env.Environment;

import io.zipflux.job.JobsClient;
import io.zipflux.security.TestKeys;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The dashboard and the alert rules against Debian's real Prometheus, scraping a running instance
 * that has run a job of each type (one import failed, one webhook delivered): every dashboard query
 * and every alert expression is valid and returns series. An alert's expression is empty while it does
 * not fire, so it is asked with its comparisons made {@code bool} ({@code x > bool 0.9}): then it
 * returns its series, with 0 or 1, exactly when the series it compares exist (and, across {@code and},
 * match).
 */
@AutoConfigureObservability
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT, properties = {
        "zipflux.data-dir=${java.io.tmpdir}/zipflux-test-data",
        "zipflux.archive.photos-dir=${java.io.tmpdir}/zipflux-test-photos",
        "zipflux.fetch.allow-private=false",
        "zipflux.fetch.allowed-addresses=127.0.0.1/32",
        "zipflux.webhooks.secret=whsec_emlwZmx1eC1tb25pdG9yaW5nLXRlc3Qtc2VjcmV0ISE=",
})
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MonitoringQueriesTest {

    /** Grafana's interval for rate(): several of the test's scrapes. */
    private static final String RATE_INTERVAL = "20s";

    private static final Logger log = LoggerFactory.getLogger(MonitoringQueriesTest.class);

    private static final Pattern LABEL_VALUES = Pattern.compile("label_values\\((.+),\\s*(\\w+)\\)");

    @LocalServerPort
    private int port;

    @Autowired
    private Environment environment;

    private PrometheusServer prometheus;

    @BeforeAll
    void jobsOfEachTypeThenPrometheus(@TempDir Path files) throws Exception {
        long start = System.nanoTime();
        JobsOfEachType.run(new JobsClient(port, TestKeys.client(environment, "monitoring")),
                Path.of(environment.getRequiredProperty("zipflux.archive.photos-dir")), files);
        long jobsDone = System.nanoTime();
        // GC metrics are registered at the first collection after start.
        System.gc();

        prometheus = PrometheusServer.start(port, TestKeys.client(environment, "prometheus"),
                MonitoringFiles.path(MonitoringFiles.ALERTS));
        // Four successful scrapes within one rate interval: every rate() of the dashboard has samples to work on.
        String scrapes = "sum_over_time(up{job=\"zipflux\"}[" + RATE_INTERVAL + "]) >= 4";
        prometheus.await(() -> prometheus.series(scrapes), result -> !result.isEmpty(), Duration.ofSeconds(40),
                "four successful scrapes of the instance");
        log.info("Jobs of each type ran in {} ms; Prometheus started and scraped four times in {} ms",
                (jobsDone - start) / 1_000_000, (System.nanoTime() - jobsDone) / 1_000_000);
    }

    @AfterAll
    void stop() {
        if (prometheus != null) {
            prometheus.close();
        }
    }

    /** The dashboard's variables as Grafana fills them in, for this instance. */
    private Map<String, String> variables() {
        return Map.of("instance", "127.0.0.1:" + port, "__rate_interval", RATE_INTERVAL);
    }

    @Test
    void everyDashboardQueryIsValidAndReturnsSeries() throws Exception {
        List<MonitoringFiles.PanelQuery> queries = MonitoringFiles.panelQueries();
        List<String> failures = new ArrayList<>();
        for (MonitoringFiles.PanelQuery query : queries) {
            String expr = PromQl.substitute(query.expr(), variables());
            check(query.panel(), expr, prometheus.query(expr), failures);
        }

        assertThat(queries).hasSizeGreaterThanOrEqualTo(30);
        assertThat(failures).as("dashboard queries that fail or return nothing").isEmpty();
    }

    @Test
    void everyDashboardVariableListsThisInstance() throws Exception {
        List<MonitoringFiles.Variable> variables = MonitoringFiles.variables();
        assertThat(variables).extracting(MonitoringFiles.Variable::name).contains("instance");
        for (MonitoringFiles.Variable variable : variables) {
            Matcher labelValues = LABEL_VALUES.matcher(variable.query());
            assertThat(labelValues.matches()).as("variable %s: %s", variable.name(), variable.query()).isTrue();

            Set<String> values = new TreeSet<>();
            prometheus.series(labelValues.group(1))
                    .forEach(series -> values.add(series.path("metric").path(labelValues.group(2)).asText()));

            assertThat(values).as("values of $%s", variable.name()).contains(variables().get(variable.name()));
        }
    }

    @Test
    void everyAlertExpressionIsValidAndItsSeriesExist() throws Exception {
        List<MonitoringFiles.Alert> alerts = MonitoringFiles.alerts();
        List<String> failures = new ArrayList<>();
        for (MonitoringFiles.Alert alert : alerts) {
            JsonNode asWritten = prometheus.query(alert.expr());
            if (!"success".equals(asWritten.path("status").asText())) {
                failures.add(alert.name() + ": " + asWritten);
                continue;
            }
            String unfiltered = PromQl.withoutFilters(alert.expr());
            check(alert.name(), unfiltered, prometheus.query(unfiltered), failures);
        }

        assertThat(alerts).hasSizeGreaterThanOrEqualTo(7);
        assertThat(failures).as("alert expressions that fail, or whose series do not exist").isEmpty();
    }

    @Test
    void prometheusLoadsEveryAlertRuleAndEvaluatesItWithoutError() throws Exception {
        Set<String> names = new TreeSet<>();
        MonitoringFiles.alerts().forEach(alert -> names.add(alert.name()));

        JsonNode rules = prometheus.await(() -> prometheus.get("/api/v1/rules?type=alert"),
                answer -> evaluatedRules(answer).size() == names.size(), Duration.ofSeconds(10), "every rule evaluated");

        for (JsonNode rule : evaluatedRules(rules)) {
            assertThat(rule.path("health").asText()).as("rule %s: %s", rule.path("name").asText(), rule).isEqualTo("ok");
        }
        assertThat(evaluatedRules(rules)).extracting(rule -> rule.path("name").asText()).containsExactlyInAnyOrderElementsOf(names);
    }

    @Test
    void theNewGaugesShowAReadyInstanceItsDataDirAndItsJobs() throws Exception {
        prometheus.await(() -> prometheus.series("zipflux_readiness{job=\"zipflux\"} == 1"), result -> result.size() == 1,
                Duration.ofSeconds(30), "zipflux_readiness 1 on a healthy instance");

        assertThat(prometheus.series("zipflux_data_dir_free_bytes > 0 and zipflux_data_dir_free_bytes <= zipflux_data_dir_total_bytes"))
                .hasSize(1);
        assertThat(prometheus.series("zipflux_direct_memory_used_bytes < zipflux_direct_memory_max_bytes")).hasSize(1);
        assertThat(prometheus.series("max by (type) (zipflux_jobs{state=\"SUCCEEDED\"}) >= 1"))
                .extracting(series -> series.path("metric").path("type").asText())
                .contains("hash", "export", "import", "url-archive");
        assertThat(prometheus.series("max by (type) (zipflux_jobs{state=\"FAILED\", type=\"import\"}) >= 1")).hasSize(1);
    }

    /** The rules of the answer that have been evaluated at least once. */
    private static List<JsonNode> evaluatedRules(JsonNode answer) {
        List<JsonNode> evaluated = new ArrayList<>();
        for (JsonNode group : answer.path("data").path("groups")) {
            for (JsonNode rule : group.path("rules")) {
                if (!rule.path("lastEvaluation").asText().startsWith("0001-")) {
                    evaluated.add(rule);
                }
            }
        }
        return evaluated;
    }

    /** Adds to {@code failures} unless {@code answer} succeeded with at least one series. */
    private static void check(String name, String expr, JsonNode answer, List<String> failures) {
        if (!"success".equals(answer.path("status").asText())) {
            failures.add(name + ": " + expr + " -> " + answer.path("error").asText());
        }
        else if (answer.path("data").path("result").isEmpty()) {
            failures.add(name + ": " + expr + " -> no series");
        }
    }
}
