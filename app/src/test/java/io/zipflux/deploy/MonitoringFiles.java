package io.zipflux.deploy;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.yaml.snakeyaml.Yaml;

/** The repository's dashboard and alert rules, as the queries they hold. */
final class MonitoringFiles {

    static final String DASHBOARD = "deploy/grafana/dashboards/zipflux.json";

    static final String ALERTS = "deploy/prometheus/alerts.yml";

    static final String ALERT_TESTS = "deploy/prometheus/alerts.test.yml";

    static final String SCRAPE_CONFIG = "deploy/prometheus/prometheus.yml";

    /** One query of a dashboard panel. */
    record PanelQuery(String panel, String expr) {
    }

    /** One variable of the dashboard whose values come from a query. */
    record Variable(String name, String query) {
    }

    /** One alert rule. */
    record Alert(String name, String expr) {
    }

    private MonitoringFiles() {
    }

    static JsonNode dashboard() throws IOException {
        return new ObjectMapper().readTree(NginxSite.repositoryFile(DASHBOARD).toFile());
    }

    /** Every target of every panel, rows' panels included. */
    static List<PanelQuery> panelQueries() throws IOException {
        List<PanelQuery> queries = new ArrayList<>();
        collect(dashboard().path("panels"), queries);
        return queries;
    }

    private static void collect(JsonNode panels, List<PanelQuery> queries) {
        for (JsonNode panel : panels) {
            for (JsonNode target : panel.path("targets")) {
                queries.add(new PanelQuery(panel.path("title").asText(), target.path("expr").asText()));
            }
            collect(panel.path("panels"), queries);
        }
    }

    static List<Variable> variables() throws IOException {
        List<Variable> variables = new ArrayList<>();
        for (JsonNode variable : dashboard().path("templating").path("list")) {
            variables.add(new Variable(variable.path("name").asText(), variable.path("query").path("query").asText()));
        }
        return variables;
    }

    static List<Alert> alerts() throws IOException {
        List<Alert> alerts = new ArrayList<>();
        for (Map<String, Object> group : list(yaml(ALERTS).get("groups"))) {
            for (Map<String, Object> rule : list(group.get("rules"))) {
                alerts.add(new Alert((String) rule.get("alert"), ((String) rule.get("expr")).strip()));
            }
        }
        return alerts;
    }

    static Map<String, Object> yaml(String file) throws IOException {
        try (Reader reader = Files.newBufferedReader(path(file))) {
            return new Yaml().load(reader);
        }
    }

    static Path path(String file) {
        return NginxSite.repositoryFile(file);
    }

    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> list(Object yaml) {
        return (List<Map<String, Object>>) yaml;
    }
}
