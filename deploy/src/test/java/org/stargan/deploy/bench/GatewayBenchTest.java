package org.stargan.deploy.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.stargan.kafka.KafkaBroker;

/** {@code bench gateway} end to end on a short run, its failure path, its options and its statistics. */
@ExtendWith(KafkaBroker.class)
class GatewayBenchTest {
    private static final Path HOME = Path.of("..");

    @Test
    void shortRunReportsThroughputAndLatenciesWithoutErrorsAndLeavesNothingBehind(KafkaBroker.Cluster kafka)
            throws Exception {
        GatewayBenchOptions o = GatewayBenchOptions.parse(
                List.of(
                        "--bootstrap",
                        kafka.bootstrapServers(),
                        "--concurrency",
                        "2",
                        "--requests",
                        "6",
                        "--warmup-s",
                        "0",
                        "--batch",
                        "2",
                        "--bare-s",
                        "0",
                        "--idle-s",
                        "1"),
                HOME);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        List<Path> before = benchDirectories();
        GatewayBench.run(o, new PrintStream(out, true, StandardCharsets.UTF_8), System.err);
        assertThat(benchDirectories()).as("temporary directories of the bench").isEqualTo(before);

        List<String> lines = out.toString(StandardCharsets.UTF_8)
                .lines()
                .filter(l -> !l.isBlank())
                .toList();
        assertThat(lines.stream().anyMatch(l -> l.startsWith("HTTP → gateway → Kafka → worker")))
                .as("table row for the gateway path")
                .isTrue();
        JsonNode j = new ObjectMapper().readTree(lines.get(lines.size() - 1));
        for (String field : List.of(
                "requests",
                "ok",
                "errors",
                "throughput_req_s",
                "latency_p50_ms",
                "latency_p90_ms",
                "latency_p99_ms",
                "latency_max_ms",
                "worker_kafka_requests",
                "worker_kafka_throughput_req_s",
                "bare_img_s",
                "ratio_gateway_to_worker_kafka",
                "ratio_gateway_to_bare",
                "image_size",
                "max_batch",
                "concurrency",
                "queue_p50_ms",
                "batch_p50_ms",
                "outside_worker_p50_ms",
                "worker_kafka_batch_p50_ms")) {
            assertThat(j.has(field) && !j.get(field).isNull())
                    .as("JSON field %s", field)
                    .isTrue();
        }
        // A request count, not a duration: on a busy machine a short window might see no answer at all.
        assertThat(j.get("requests").asLong()).isEqualTo(6);
        assertThat(j.get("ok").asLong()).isEqualTo(6);
        assertThat(j.get("errors").size())
                .as("errors by status: %s", j.get("errors"))
                .isZero();
        assertThat(j.get("worker_kafka_requests").asLong()).isEqualTo(6);
        assertThat(j.get("worker_kafka_errors").size())
                .as("worker errors: %s", j.get("worker_kafka_errors"))
                .isZero();
        assertThat(j.get("latency_p50_ms").asDouble())
                .isPositive()
                .isLessThanOrEqualTo(j.get("latency_p90_ms").asDouble());
        assertThat(j.get("latency_p90_ms").asDouble())
                .isLessThanOrEqualTo(j.get("latency_p99_ms").asDouble());
        assertThat(j.get("latency_p99_ms").asDouble())
                .isLessThanOrEqualTo(j.get("latency_max_ms").asDouble());
        assertThat(j.get("image_size").asInt()).isEqualTo(48);
        // CPU per request of each process started here (the broker is the test's: not measured), on both paths.
        for (String p : List.of("", "worker_kafka_")) {
            for (String name : List.of(
                    "gateway",
                    "worker",
                    "worker_generator",
                    "worker_other",
                    "load_client",
                    "gateway_jit",
                    "worker_jit",
                    "load_client_jit",
                    "gateway_steady",
                    "worker_other_steady",
                    "load_client_steady")) {
                JsonNode v = j.get(p + "cpu_" + name + "_ms_per_req");
                assertThat(v).as("JSON field %scpu_%s_ms_per_req", p, name).isNotNull();
                assertThat(v.isNumber())
                        .as("%scpu_%s_ms_per_req: %s", p, name, v)
                        .isTrue();
                assertThat(v.asDouble()).as("%scpu_%s_ms_per_req", p, name).isNotNegative();
            }
            assertThat(j.get(p + "cpu_broker_ms_per_req").isNull())
                    .as("a broker not started here is not measured")
                    .isTrue();
            // The compute threads are part of the worker: at most its whole CPU, give or take the two 10 ms clock
            // ticks by which the process and its threads may be read apart.
            double tick = 10.0 / j.get(p + "requests").asLong();
            assertThat(j.get(p + "cpu_worker_generator_ms_per_req").asDouble())
                    .as("the worker's compute threads within the worker")
                    .isLessThanOrEqualTo(j.get(p + "cpu_worker_ms_per_req").asDouble() + 2 * tick);
            // The split by thread of the services started here (CpuMeterTest checks its sums).
            for (String name : List.of(
                    "gateway_eventloop",
                    "gateway_kafka_consumer",
                    "gateway_kafka_producer",
                    "gateway_rest",
                    "worker_eventloop",
                    "worker_kafka_consumer",
                    "worker_kafka_producer",
                    "worker_preparing",
                    "worker_rest")) {
                JsonNode v = j.get(p + "cpu_" + name + "_ms_per_req");
                assertThat(v != null && v.isNumber() && v.asDouble() >= 0)
                        .as("%scpu_%s_ms_per_req: %s", p, name, v)
                        .isTrue();
            }
        }
        assertThat(lines).anyMatch(l -> l.startsWith("CPU ms per request by thread"));
        assertThat(lines).anyMatch(l -> l.startsWith("worker, over Kafka"));
        // The steady figure is the process's less its JIT compiler threads' share, for each process measured.
        for (String name : List.of("gateway", "load_client")) {
            double total = j.get("cpu_" + name + "_ms_per_req").asDouble();
            double jit = j.get("cpu_" + name + "_jit_ms_per_req").asDouble();
            assertThat(j.get("cpu_" + name + "_steady_ms_per_req").asDouble())
                    .as("%s without its JIT", name)
                    .isCloseTo(Math.max(0, total - jit), org.assertj.core.data.Offset.offset(1e-6));
        }
        // The background measured without load, for the services started here (not the test's broker).
        for (String name : List.of("gateway", "worker")) {
            JsonNode v = j.get("idle_cpu_" + name + "_ms_per_s");
            assertThat(v != null && v.isNumber() && v.asDouble() >= 0)
                    .as("idle_cpu_%s_ms_per_s: %s", name, v)
                    .isTrue();
        }
        assertThat(j.get("idle_cpu_broker_ms_per_s").isNull()).isTrue();
        assertThat(lines).anyMatch(l -> l.startsWith("background without load, ms/s"));
        // The generator ran on the worker's compute threads: some CPU time per request is counted there.
        assertThat(j.get("worker_kafka_cpu_worker_ms_per_req").asDouble()).isPositive();
        assertThat(j.get("ratio_gateway_to_bare").asDouble())
                .isCloseTo(
                        j.get("throughput_req_s").asDouble()
                                / j.get("bare_img_s").asDouble(),
                        org.assertj.core.data.Offset.offset(1e-9));
    }

    @Test
    void unreachableGatewayFailsNamingTheClientAndStopsIt() throws Exception {
        int closedPort;
        try (ServerSocket s = new ServerSocket()) {
            s.bind(new InetSocketAddress("127.0.0.1", 0));
            closedPort = s.getLocalPort();
        }
        GatewayBenchOptions o = GatewayBenchOptions.parse(
                List.of(
                        "--url",
                        "http://127.0.0.1:" + closedPort,
                        "--duration-s",
                        "1",
                        "--warmup-s",
                        "0",
                        "--ready-timeout-s",
                        "1",
                        "--no-direct"),
                HOME);
        List<Path> before = benchDirectories();
        assertThatThrownBy(() -> GatewayBench.run(
                        o, new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8), System.err))
                .hasMessageContaining("load client exited with status 1");
        assertThat(benchDirectories())
                .as("temporary directories of the bench after a failure")
                .isEqualTo(before);
    }

    @Test
    void badOptionsNameTheOptionTheValueAndWhatIsExpected() {
        assertThatThrownBy(() -> GatewayBenchOptions.parse(List.of("--concurrency", "0"), HOME))
                .hasMessage("bench gateway: --concurrency '0', expected a whole number in 1..1024");
        assertThatThrownBy(() -> GatewayBenchOptions.parse(List.of("--duration-s", "ten"), HOME))
                .hasMessage("bench gateway: --duration-s 'ten', expected a number in [0.1, 86400]");
        assertThatThrownBy(() -> GatewayBenchOptions.parse(List.of("--duration-s", "5", "--requests", "100"), HOME))
                .hasMessageContaining("both given");
        assertThatThrownBy(() -> GatewayBenchOptions.parse(List.of("--url", "127.0.0.1:8080"), HOME))
                .hasMessageContaining("--url '127.0.0.1:8080', expected http://");
        assertThatThrownBy(() -> GatewayBenchOptions.parse(List.of("--api-key", "k"), HOME))
                .hasMessageContaining("only applies with --url");
        assertThatThrownBy(() -> GatewayBenchOptions.parse(List.of("--batch"), HOME))
                .hasMessage("bench gateway: option --batch needs a value (a whole number in 1..1024)");
        GatewayBenchOptions d = GatewayBenchOptions.parse(List.of(), HOME);
        assertThat(d.concurrency()).isEqualTo(8);
        assertThat(d.durationS()).isEqualTo(30);
        assertThat(d.warmupS()).isEqualTo(60);
        assertThat(d.model()).isEqualTo(HOME.resolve("deploy/models/synthetic48-G.safetensors"));
        assertThat(GatewayBenchOptions.parse(List.of("--requests", "50"), HOME).durationS())
                .isZero();
    }

    @Test
    void statsCountErrorsByReasonAndTakeNearestRankPercentiles() {
        LoadStats s = new LoadStats();
        IntStream.rangeClosed(1, 100).forEach(i -> s.ok(101 - i, 0.25 * (101 - i), 10));
        s.error("429");
        s.error("429");
        s.error("timeout");
        var summary = s.summary(2.0);
        assertThat(summary)
                .containsEntry("requests", 103L)
                .containsEntry("ok", 100L)
                .containsEntry("throughput_req_s", 50.0)
                .containsEntry("latency_p50_ms", 50.0)
                .containsEntry("latency_p90_ms", 90.0)
                .containsEntry("latency_p99_ms", 99.0)
                .containsEntry("latency_max_ms", 100.0)
                .containsEntry("queue_p50_ms", 12.5)
                .containsEntry("batch_p50_ms", 10.0)
                .containsEntry("outside_worker_p50_ms", 50 - 12.5 - 10);
        assertThat(summary.get("errors")).isEqualTo(java.util.Map.of("429", 2L, "timeout", 1L));
        assertThat(new LoadStats().summary(1.0))
                .containsEntry("latency_p50_ms", null)
                .containsEntry("throughput_req_s", 0.0);
    }

    /** The bench's temporary directories now present: each run must remove its own, on success and on failure. */
    private static List<Path> benchDirectories() throws java.io.IOException {
        try (var list = java.nio.file.Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
            return list.filter(p -> p.getFileName().toString().startsWith("stargan-bench-gateway"))
                    .sorted()
                    .toList();
        }
    }
}
