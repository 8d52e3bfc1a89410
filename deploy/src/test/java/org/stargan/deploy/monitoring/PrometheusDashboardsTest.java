package org.stargan.deploy.monitoring;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.stargan.kafka.KafkaBroker;

/**
 * The Grafana dashboards work against a real Prometheus: Debian's {@code prometheus} scrapes the three services (with
 * the scrape jobs of {@code deploy/prometheus/prometheus-local.yml}, every second) while a translation load and a
 * training job run; then every expression of every dashboard is sent to its HTTP API as Grafana would send it, with
 * each template variable bound to every value Prometheus offers for it and to "All". An expression that Prometheus
 * refuses, or that returns no series, fails the test, as does a legend label missing from the series, a job-grouped
 * panel missing a service, or a variable that does not offer the running job. Prometheus' own config check runs on
 * the shipped configs.
 */
@ExtendWith(KafkaBroker.class)
class PrometheusDashboardsTest {
    private static final Path PROMETHEUS_DIR = Path.of("prometheus");
    private static final Path DASHBOARDS = Path.of("grafana/dashboards");
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    @TempDir
    Path tmp;

    @Test
    void theShippedPrometheusConfigsPassPromtool() throws Exception {
        for (String f : List.of("prometheus.yml", "prometheus-local.yml")) {
            PrometheusServer.ToolResult r = PrometheusServer.checkConfig(PROMETHEUS_DIR.resolve(f));
            assertThat(r.status())
                    .as("promtool check config %s: %s", f, r.output())
                    .isZero();
            assertThat(r.output()).contains("SUCCESS");
        }
    }

    @Test
    void everyDashboardExpressionReturnsSeriesFromTheRunningServices(KafkaBroker.Cluster kafka) throws Exception {
        GrafanaDashboards dashboards = GrafanaDashboards.read(DASHBOARDS);
        String datasource = YAML.readTree(Path.of("grafana/provisioning/datasources/prometheus.yml")
                        .toFile())
                .path("datasources")
                .path(0)
                .path("uid")
                .asText();
        for (GrafanaDashboards.Target t : dashboards.targets()) {
            assertThat(t.datasource()).as("datasource of %s", t).isEqualTo(datasource);
        }
        String jobId = "dash-" + System.nanoTime() % 100000;
        try (MonitoredServices services = MonitoredServices.start(kafka.bootstrapServers(), tmp)) {
            Map<String, Integer> ports = Map.of(
                    "stargan-gateway", services.gatewayPort(),
                    "stargan-inference", services.inferenceMetricsPort(),
                    "stargan-trainer", services.trainerMetricsPort());
            Path config = scrapeEverySecond(PROMETHEUS_DIR.resolve("prometheus-local.yml"), ports);
            PrometheusServer.ToolResult promtool = PrometheusServer.checkConfig(config);
            assertThat(promtool.status()).as(promtool.output()).isZero();
            try (PrometheusServer prometheus = PrometheusServer.start(config, tmp)) {
                // The trainer's counters must be scraped at 0 before the job moves them, as in a real deployment
                // where Prometheus watches a trainer before it gets work.
                awaitSeries(
                        prometheus,
                        "stargan_train_job_events_total",
                        4,
                        30,
                        "the trainer exports a counter for each job state at 0 before any job ran");
                awaitSeries(prometheus, "up == 1", ports.size(), 30, "every service is scraped");
                services.submitTrainingJob(jobId, 60);
                services.startLoad(2);
                awaitSeries(
                        prometheus,
                        "stargan_train_job_events_total{type=\"done\"} > 0",
                        1,
                        180,
                        "the training job ends");
                Thread.sleep(3_000); // a few more scrapes after the job's end
                Map<Integer, Integer> answers = services.stopLoad();
                assertThat(answers).as("translations by status").containsKey(200);
                assertThat(answers.keySet())
                        .as("translations by status: %s", answers)
                        .containsOnly(200);

                DashboardCheck check = new DashboardCheck(prometheus, dashboards, jobId, ports.keySet());
                DashboardCheck.Figures figures = check.run();
                System.out.println(figures);
                assertThat(check.failures())
                        .as("%s; targets %s", figures, prometheus.targetHealth())
                        .isEmpty();
                assertThat(figures.expressions()).isEqualTo(dashboards.targets().size());
            }
        }
    }

    private static void awaitSeries(PrometheusServer prometheus, String promql, int count, int seconds, String why)
            throws Exception {
        long deadline = System.nanoTime() + seconds * 1_000_000_000L;
        int seen = 0;
        while (System.nanoTime() < deadline) {
            seen = prometheus.series(promql).size();
            if (seen >= count) {
                return;
            }
            Thread.sleep(250);
        }
        throw new AssertionError(why + ": expected " + count + " series of " + promql + " within " + seconds
                + " s, saw " + seen + "; targets: " + prometheus.targetHealth() + "; log: " + prometheus.log());
    }

    /** The shipped config with each job's target on the test's port and a 1 s scrape interval. */
    private Path scrapeEverySecond(Path shipped, Map<String, Integer> ports) throws Exception {
        ObjectNode config = (ObjectNode) YAML.readTree(shipped.toFile());
        ((ObjectNode) config.path("global")).put("scrape_interval", "1s").put("evaluation_interval", "1s");
        TreeSet<String> jobs = new TreeSet<>();
        for (JsonNode job : config.path("scrape_configs")) {
            String name = job.path("job_name").asText();
            jobs.add(name);
            Integer port = ports.get(name);
            assertThat(port)
                    .as("a service for scrape job %s of %s", name, shipped)
                    .isNotNull();
            var targets = (ArrayNode) job.path("static_configs").path(0).path("targets");
            String host = targets.path(0).asText().replaceAll(":\\d+$", "");
            targets.removeAll().add(host + ":" + port);
        }
        assertThat(jobs).isEqualTo(new TreeSet<>(ports.keySet()));
        Path out = tmp.resolve("prometheus.yml");
        YAML.writeValue(out.toFile(), config);
        return out;
    }
}
