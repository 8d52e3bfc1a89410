package org.stargan.deploy.monitoring;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.stargan.kafka.LocalKafka;

/**
 * A real Prometheus server (Debian's {@code prometheus} package) in a child process, queried through its HTTP API as
 * Grafana queries it. Binaries are {@code $PROMETHEUS} and {@code $PROMTOOL}, else Debian's; a missing one fails the
 * test naming the package to install, never skips it.
 */
final class PrometheusServer implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String INSTALL = " is missing: the dashboard tests need Debian's prometheus package "
            + "(apt-get install prometheus; .ci/run installs it), or set PROMETHEUS and PROMTOOL";

    private final Process process;
    private final Path log;
    private final String base;
    private final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();

    private PrometheusServer(Process process, Path log, int port) {
        this.process = process;
        this.log = log;
        this.base = "http://127.0.0.1:" + port;
    }

    /** The Prometheus binary, or an assertion failure naming the Debian package. */
    static Path prometheus() {
        return binary("PROMETHEUS", "/usr/bin/prometheus");
    }

    /** The promtool binary, or an assertion failure naming the Debian package. */
    static Path promtool() {
        return binary("PROMTOOL", "/usr/bin/promtool");
    }

    private static Path binary(String env, String debian) {
        Path p = Path.of(System.getenv().getOrDefault(env, debian));
        assertThat(Files.isExecutable(p)).as(p + INSTALL).isTrue();
        return p;
    }

    /** Runs {@code promtool check config} on {@code config}: its exit status and output. */
    static ToolResult checkConfig(Path config) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(promtool().toString(), "check", "config", config.toString())
                .redirectErrorStream(true)
                .start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        boolean ended = p.waitFor(60, TimeUnit.SECONDS);
        return new ToolResult(ended ? p.exitValue() : -1, out);
    }

    /** What a command line tool said. */
    record ToolResult(int status, String output) {}

    /** Starts Prometheus on a free loopback port with {@code config}, keeping its data under {@code dir}. */
    static PrometheusServer start(Path config, Path dir) throws IOException, InterruptedException {
        int port = LocalKafka.freePort();
        Path log = dir.resolve("prometheus.log");
        Process p = new ProcessBuilder(
                        prometheus().toString(),
                        "--config.file=" + config,
                        "--storage.tsdb.path=" + dir.resolve("data"),
                        "--web.listen-address=127.0.0.1:" + port,
                        "--log.level=warn")
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        PrometheusServer server = new PrometheusServer(p, log, port);
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (System.nanoTime() < deadline) {
            if (!p.isAlive()) {
                throw new IllegalStateException("prometheus exited with status " + p.exitValue() + ": " + server.log());
            }
            try {
                if (server.get("/-/ready").statusCode() == 200) {
                    return server;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            Thread.sleep(200);
        }
        server.close();
        throw new IllegalStateException("prometheus not ready within 60 s: " + server.log());
    }

    /** An instant query at the current time: the API's whole answer ({@code status}, {@code data}, {@code error}). */
    JsonNode query(String promql) throws IOException, InterruptedException {
        return JSON.readTree(get("/api/v1/query?query=" + encode(promql)).body());
    }

    /** The series of a successful instant query; fails naming the expression and Prometheus' error otherwise. */
    List<JsonNode> series(String promql) throws IOException, InterruptedException {
        JsonNode answer = query(promql);
        if (!"success".equals(answer.path("status").asText())) {
            throw new IllegalStateException(promql + ": " + answer.path("error").asText());
        }
        List<JsonNode> out = new ArrayList<>();
        answer.path("data").path("result").forEach(out::add);
        return out;
    }

    /** Grafana's {@code label_values(metric, label)}: the values {@code label} takes on series of {@code metric}. */
    List<String> labelValues(String metric, String label) throws IOException, InterruptedException {
        JsonNode answer = JSON.readTree(get("/api/v1/label/" + label + "/values?match[]=" + encode(metric))
                .body());
        List<String> out = new ArrayList<>();
        answer.path("data").forEach(v -> out.add(v.asText()));
        return out;
    }

    /** The scrape targets' health by job, e.g. {@code stargan-gateway=up}. */
    List<String> targetHealth() throws IOException, InterruptedException {
        JsonNode answer = JSON.readTree(get("/api/v1/targets").body());
        List<String> out = new ArrayList<>();
        answer.path("data")
                .path("activeTargets")
                .forEach(t -> out.add(t.path("labels").path("job").asText() + "="
                        + t.path("health").asText()
                        + (t.path("lastError").asText().isEmpty()
                                ? ""
                                : " (" + t.path("lastError").asText() + ")")));
        return out;
    }

    /** The server's own log, for failure messages. */
    String log() {
        try {
            return Files.exists(log) ? Files.readString(log) : "";
        } catch (IOException e) {
            return "(log unreadable: " + e + ")";
        }
    }

    private HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return http.send(
                HttpRequest.newBuilder(URI.create(base + path))
                        .timeout(Duration.ofSeconds(20))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(20, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }
}
