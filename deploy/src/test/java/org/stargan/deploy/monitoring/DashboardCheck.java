package org.stargan.deploy.monitoring;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Sends every expression of every dashboard to a Prometheus that has scraped the running services, as Grafana would
 * send it, and collects what a person looking at the dashboards would see as broken:
 *
 * <ul>
 *   <li>an expression Prometheus refuses (invalid PromQL) or that returns no series (an empty panel), with each
 *       template variable bound to "All" and to every value it offers (plus the running training job by name);
 *   <li>a variable over training metrics that does not offer the running job;
 *   <li>a legend label ({@code {{name}}}) that the series lack, or a series of another value than the bound one;
 *   <li>a panel grouped {@code by (job)} that misses one of the scraped services;
 *   <li>an application label renamed by Prometheus ({@code exported_job}, {@code exported_instance}) because it
 *       clashes with a target label;
 *   <li>a counter drawn with {@code increase()} whose first event is lost (it did not exist at 0 before it).
 * </ul>
 */
final class DashboardCheck {
    /** Figures for the record: expressions, evaluations with bound variables, and how many were empty or invalid. */
    record Figures(int expressions, int evaluations, int empty, int invalid, String jobId) {
        @Override
        public String toString() {
            return "dashboards: " + expressions + " expressions, " + evaluations
                    + " evaluations (variables bound to All and to each value, the running job " + jobId
                    + " included): "
                    + empty + " empty, " + invalid + " invalid";
        }
    }

    private final PrometheusServer prometheus;
    private final GrafanaDashboards dashboards;
    private final String jobId;
    private final Set<String> scrapeJobs;
    private final List<String> failures = new ArrayList<>();

    /**
     * @param jobId the training job that ran while Prometheus scraped
     * @param scrapeJobs the scrape jobs of the Prometheus config (one per service)
     */
    DashboardCheck(PrometheusServer prometheus, GrafanaDashboards dashboards, String jobId, Set<String> scrapeJobs) {
        this.prometheus = prometheus;
        this.dashboards = dashboards;
        this.jobId = jobId;
        this.scrapeJobs = Set.copyOf(scrapeJobs);
    }

    /** Evaluates every expression and runs the label and counter checks; what failed is in {@link #failures}. */
    Figures run() throws Exception {
        Figures figures = evaluateEveryExpression();
        failures.addAll(targetLabelClashes());
        failures.addAll(countersCountTheirFirstEvent());
        return figures;
    }

    /** What went wrong, one line each, naming the dashboard, panel and expression. */
    List<String> failures() {
        return failures;
    }

    /**
     * Each variable's values as Grafana would offer them (the running job must be among those of training metrics),
     * plus the running job by name, as a user who knows its id would choose it.
     */
    private Map<String, List<String>> variableValues() throws Exception {
        Map<String, List<String>> offered = new HashMap<>();
        for (GrafanaDashboards.Variable v : dashboards.variables()) {
            List<String> values = prometheus.labelValues(v.metric(), v.label());
            boolean training = v.metric().startsWith("stargan_train_");
            if (training && !values.contains(jobId)) {
                failures.add(v.dashboard() + " variable $" + v.name() + " offers " + values + ", not the running job "
                        + jobId);
            }
            if (values.isEmpty()) {
                failures.add(v.dashboard() + " variable $" + v.name() + ": label_values(" + v.metric() + ", "
                        + v.label() + ") is empty");
            }
            List<String> tried = new ArrayList<>(values);
            if (training && !tried.contains(jobId)) {
                tried.add(jobId);
            }
            offered.put(v.dashboard() + "/" + v.name(), tried);
        }
        return offered;
    }

    private Figures evaluateEveryExpression() throws Exception {
        Map<String, List<String>> offered = variableValues();
        int expressions = 0;
        int evaluations = 0;
        int empty = 0;
        int invalid = 0;
        for (GrafanaDashboards.Target t : dashboards.targets()) {
            expressions++;
            for (Binding binding : bindings(t, dashboards.variables(t.dashboard()), offered)) {
                String expr = GrafanaDashboards.expand(t.expr(), binding.formatted());
                evaluations++;
                JsonNode answer = prometheus.query(expr);
                if (!"success".equals(answer.path("status").asText())) {
                    invalid++;
                    failures.add("invalid: " + t + " sent as " + expr + ": "
                            + answer.path("error").asText());
                    continue;
                }
                JsonNode result = answer.path("data").path("result");
                if (result.isEmpty()) {
                    empty++;
                    failures.add("empty: " + t + " sent as " + expr);
                    continue;
                }
                for (JsonNode series : result) {
                    JsonNode labels = series.path("metric");
                    for (String l : t.legendLabels()) {
                        if (!labels.has(l)) {
                            failures.add("legend {{" + l + "}} of " + t + " is not a label of " + labels);
                        }
                    }
                    binding.single().forEach((name, value) -> {
                        if (labels.has(name) && !labels.path(name).asText().equals(value)) {
                            failures.add(t + " with $" + name + "=" + value + " returned " + labels);
                        }
                    });
                }
                if (t.expr().matches("(?s).*by \\([^)]*\\bjob\\b.*")) {
                    TreeSet<String> jobs = new TreeSet<>();
                    result.forEach(s -> jobs.add(s.path("metric").path("job").asText()));
                    if (!jobs.equals(new TreeSet<>(scrapeJobs))) {
                        failures.add(t + " covers jobs " + jobs + ", expected every scraped service " + scrapeJobs);
                    }
                }
            }
        }
        return new Figures(expressions, evaluations, empty, invalid, jobId);
    }

    /**
     * Values for a target's variables: {@code formatted} as Grafana puts them into the expression, {@code single} the
     * variables bound to one value (whose series must carry it).
     */
    private record Binding(Map<String, String> formatted, Map<String, String> single) {}

    /** No binding when {@code t} uses no variable; otherwise "All" for every variable, then each value of each. */
    private static List<Binding> bindings(
            GrafanaDashboards.Target t, List<GrafanaDashboards.Variable> vars, Map<String, List<String>> offered) {
        List<String> used = t.variables(vars);
        Map<String, String> all = new LinkedHashMap<>();
        used.forEach(v -> all.put(v, GrafanaDashboards.allValue(offered.get(t.dashboard() + "/" + v))));
        List<Binding> out = new ArrayList<>();
        out.add(new Binding(all, Map.of()));
        for (String v : used) {
            for (String value : offered.get(t.dashboard() + "/" + v)) {
                Map<String, String> one = new LinkedHashMap<>(all);
                one.put(v, GrafanaDashboards.regexValue(value));
                out.add(new Binding(one, Map.of(v, value)));
            }
        }
        return out;
    }

    private List<String> targetLabelClashes() throws Exception {
        List<String> out = new ArrayList<>();
        for (String label : List.of("exported_job", "exported_instance")) {
            for (JsonNode s : prometheus.series("count by (__name__) ({" + label + "!=\"\"})")) {
                out.add(s.path("metric").path("__name__").asText() + " carries " + label
                        + ": an application label clashes with a target label Prometheus sets");
            }
        }
        return out;
    }

    /**
     * Every counter a panel shows through {@code increase()} counts from 0, so the increase over a window that spans
     * the service's life equals the counter's value: a counter that first appears at 1 would lose that first event.
     */
    private List<String> countersCountTheirFirstEvent() throws Exception {
        List<String> out = new ArrayList<>();
        Set<String> counters = new TreeSet<>();
        for (GrafanaDashboards.Target t : dashboards.targets()) {
            Matcher m = Pattern.compile("increase\\(\\s*([a-zA-Z_:][\\w:]*)").matcher(t.expr());
            while (m.find()) {
                counters.add(m.group(1));
            }
        }
        for (String c : counters) {
            for (JsonNode total : prometheus.series(c)) {
                JsonNode labels = total.path("metric");
                String selector = c + selector(labels);
                double value = total.path("value").path(1).asDouble();
                List<JsonNode> increase = prometheus.series("increase(" + selector + "[1h])");
                double counted = increase.isEmpty()
                        ? 0
                        : increase.get(0).path("value").path(1).asDouble();
                if (counted < value - 0.5) {
                    out.add("increase(" + selector + "[1h]) = " + counted + " but the counter is at " + value
                            + ": its first event is lost (the counter did not exist at 0 before it)");
                }
            }
        }
        if (counters.isEmpty()) {
            out.add("no panel draws a counter with increase(): this check checked nothing");
        }
        return out;
    }

    private static String selector(JsonNode labels) {
        List<String> matchers = new ArrayList<>();
        labels.fieldNames().forEachRemaining(n -> {
            if (!n.equals("__name__")) {
                matchers.add(n + "=\""
                        + labels.path(n).asText().replace("\\", "\\\\").replace("\"", "\\\"") + "\"");
            }
        });
        return "{" + String.join(",", matchers) + "}";
    }
}
