package org.stargan.deploy.monitoring;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The Prometheus queries of the provisioned Grafana dashboards: every panel target and every template variable, and
 * Grafana's substitution of variables into an expression, so that a test can send Prometheus what Grafana would.
 */
final class GrafanaDashboards {
    private static final Pattern LABEL_VALUES = Pattern.compile("label_values\\(\\s*([^,]+?)\\s*,\\s*(\\w+)\\s*\\)");
    private static final Pattern LEGEND_LABEL = Pattern.compile("\\{\\{\\s*(\\w+)\\s*}}");
    /** Grafana's built-in variables, at the values a one-hour dashboard on a 15 s scrape gets. */
    private static final Map<String, String> BUILT_INS =
            Map.of("__rate_interval", "1m", "__interval", "15s", "__range", "1h");

    /** One query of one panel. */
    record Target(String dashboard, String panel, String expr, String legendFormat, String datasource) {
        /** The labels its legend shows ({@code {{name}}}). */
        Set<String> legendLabels() {
            Set<String> out = new LinkedHashSet<>();
            Matcher m = LEGEND_LABEL.matcher(legendFormat);
            while (m.find()) {
                out.add(m.group(1));
            }
            return out;
        }

        /** The variables it uses. */
        List<String> variables(List<Variable> known) {
            return known.stream()
                    .map(Variable::name)
                    .filter(v -> expr.contains("$" + v) || expr.contains("${" + v + "}"))
                    .toList();
        }

        @Override
        public String toString() {
            return dashboard + " / " + panel + ": " + expr;
        }
    }

    /** A template variable {@code label_values(metric, label)}. */
    record Variable(String dashboard, String name, String metric, String label, String datasource) {}

    private final List<Target> targets;
    private final List<Variable> variables;

    private GrafanaDashboards(List<Target> targets, List<Variable> variables) {
        this.targets = targets;
        this.variables = variables;
    }

    /** Reads every {@code *.json} dashboard in {@code dir}; a variable query other than label_values fails. */
    static GrafanaDashboards read(Path dir) throws IOException {
        ObjectMapper json = new ObjectMapper();
        List<Target> targets = new ArrayList<>();
        List<Variable> variables = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f :
                    files.filter(p -> p.toString().endsWith(".json")).sorted().toList()) {
                JsonNode d = json.readTree(f.toFile());
                String title = d.path("title").asText(f.getFileName().toString());
                for (JsonNode v : d.path("templating").path("list")) {
                    Matcher m = LABEL_VALUES.matcher(v.path("query").asText());
                    if (!m.matches()) {
                        throw new IllegalArgumentException(f.getFileName() + ": variable " + v.path("name") + " query '"
                                + v.path("query").asText() + "', expected label_values(metric, label)");
                    }
                    variables.add(new Variable(
                            title,
                            v.path("name").asText(),
                            m.group(1),
                            m.group(2),
                            v.path("datasource").path("uid").asText()));
                }
                for (JsonNode panel : d.path("panels")) {
                    for (JsonNode t : panel.path("targets")) {
                        targets.add(new Target(
                                title,
                                panel.path("title").asText(),
                                t.path("expr").asText(),
                                t.path("legendFormat").asText(""),
                                panel.path("datasource").path("uid").asText()));
                    }
                }
            }
        }
        return new GrafanaDashboards(targets, variables);
    }

    /** Every panel query. */
    List<Target> targets() {
        return targets;
    }

    /** The template variables of {@code dashboard}. */
    List<Variable> variables(String dashboard) {
        return variables.stream().filter(v -> v.dashboard().equals(dashboard)).toList();
    }

    /** Every template variable. */
    List<Variable> variables() {
        return variables;
    }

    /**
     * {@code expr} as Grafana sends it: {@code $name}, {@code ${name}} and {@code [[name]]} replaced by the bound
     * values (already formatted, see {@link #regexValue} and {@link #allValue}) and the built-in intervals.
     */
    static String expand(String expr, Map<String, String> bound) {
        String out = expr;
        for (var e : BUILT_INS.entrySet()) {
            out = out.replace("$" + e.getKey(), e.getValue());
        }
        // Longest names first, so $job does not eat the start of $job_name.
        List<String> names = new ArrayList<>(bound.keySet());
        names.sort((a, b) -> b.length() - a.length());
        for (String n : names) {
            String v = bound.get(n);
            out = out.replace("${" + n + "}", v).replace("[[" + n + "]]", v).replace("$" + n, v);
        }
        return out;
    }

    /** One value of a multi-value variable as Grafana puts it into a Prometheus regex matcher (escaped). */
    static String regexValue(String value) {
        return value.replace("\\", "\\\\\\\\").replaceAll("[$^*+?.()|{}\\[\\]]", "\\\\\\\\$0");
    }

    /** Grafana's "All" for a multi-value Prometheus variable without a custom all value: the values as alternatives. */
    static String allValue(List<String> values) {
        return "("
                + String.join(
                        "|", values.stream().map(GrafanaDashboards::regexValue).toList()) + ")";
    }
}
