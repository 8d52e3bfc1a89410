package org.stargan.deploy.bench;

import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/** What {@code bench gateway} reports: the JSON line's fields and the table printed before it. */
final class GatewayBenchReport {
    private GatewayBenchReport() {}

    /**
     * The CPU figures each path reports ({@link CpuMeter}), in the order the JSON line and the tables show them: each
     * process's, then the gateway's and the worker's split by thread.
     */
    static final List<String> CPU_FIELDS = Stream.concat(
                    Stream.of(
                            CpuMeter.field("gateway"),
                            CpuMeter.field(CpuMeter.WORKER),
                            CpuMeter.field(CpuMeter.GENERATOR),
                            CpuMeter.field(CpuMeter.WORKER_OTHER),
                            CpuMeter.field("broker"),
                            CpuMeter.field(CpuMeter.CLIENT),
                            CpuMeter.field("gateway" + CpuMeter.JIT),
                            CpuMeter.field(CpuMeter.WORKER + CpuMeter.JIT),
                            CpuMeter.field("broker" + CpuMeter.JIT),
                            CpuMeter.field(CpuMeter.CLIENT + CpuMeter.JIT),
                            CpuMeter.steadyField("gateway"),
                            CpuMeter.steadyField(CpuMeter.WORKER_OTHER),
                            CpuMeter.steadyField("broker"),
                            CpuMeter.steadyField(CpuMeter.CLIENT)),
                    CpuMeter.SPLIT_PROCESSES.stream()
                            .flatMap(p ->
                                    Stream.concat(CpuMeter.threadFigures(p).stream(), Stream.of(p + CpuMeter.REST)))
                            .map(CpuMeter::field))
            .toList();

    /** The processes whose background CPU per second is measured without load, as the table shows them. */
    static final List<String> IDLE_PROCESSES = List.of("gateway", CpuMeter.WORKER, "broker");

    static Map<String, Object> result(
            GatewayBenchOptions o, String model, Map<String, Map<String, Object>> measured, BareGenerator.Result bare) {
        Map<String, Object> gw = measured.get("http");
        Map<String, Object> direct = measured.get("kafka");
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("bench", "gateway");
        r.put("concurrency", o.concurrency());
        r.put("duration_s", o.requests() > 0 ? null : o.durationS());
        r.put("requests_per_phase", o.requests() > 0 ? o.requests() : null);
        r.put("warmup_s", o.warmupS());
        r.put("slice_s", o.requests() > 0 ? null : o.sliceS());
        r.put("max_batch", o.batch());
        r.put("max_delay_ms", o.maxDelayMs());
        r.put("model", model);
        r.put("image_size", bare.imageSize());
        r.put("target", o.target());
        r.put("device", o.device());
        for (String k : List.of(
                "requests",
                "ok",
                "errors",
                "elapsed_s",
                "throughput_req_s",
                "latency_mean_ms",
                "latency_p50_ms",
                "latency_p90_ms",
                "latency_p99_ms",
                "latency_max_ms",
                "queue_p50_ms",
                "batch_p50_ms",
                "outside_worker_p50_ms")) {
            r.put(k, gw.get(k));
        }
        for (String k : CPU_FIELDS) {
            r.put(k, gw.get(k));
        }
        for (String k : List.of(
                "requests",
                "errors",
                "throughput_req_s",
                "latency_p50_ms",
                "latency_p90_ms",
                "latency_p99_ms",
                "latency_max_ms",
                "queue_p50_ms",
                "batch_p50_ms",
                "outside_worker_p50_ms")) {
            r.put("worker_kafka_" + k, direct == null ? null : direct.get(k));
        }
        for (String k : CPU_FIELDS) {
            r.put("worker_kafka_" + k, direct == null ? null : direct.get(k));
        }
        Map<String, Object> idle = measured.get("idle");
        for (String p : IDLE_PROCESSES) {
            r.put("idle_cpu_" + p + "_ms_per_s", idle == null ? null : idle.get("cpu_" + p + "_ms_per_s"));
            r.put(
                    "idle_cpu_" + p + "_steady_ms_per_s",
                    idle == null ? null : idle.get("cpu_" + p + "_steady_ms_per_s"));
        }
        r.put("bare_img_s", bare.imagesPerSecond());
        r.put("bare_ms_per_batch", bare.msPerBatch());
        double through = ((Number) gw.get("throughput_req_s")).doubleValue();
        r.put(
                "ratio_gateway_to_worker_kafka",
                direct == null ? null : through / ((Number) direct.get("throughput_req_s")).doubleValue());
        r.put("ratio_gateway_to_bare", through / bare.imagesPerSecond());
        return r;
    }

    static void printTable(GatewayBenchOptions o, Map<String, Object> r, PrintStream out) {
        out.printf(
                "%nbench gateway: %d in flight, %s after %s s warm-up; worker batches up to %d (waits ≤ %d ms); %s at %d px on %s; "
                        + "target %s%n%n",
                o.concurrency(),
                o.requests() > 0
                        ? o.requests() + " requests"
                        : GatewayBenchOptions.plain(o.durationS()) + " s measured",
                GatewayBenchOptions.plain(o.warmupS()),
                o.batch(),
                o.maxDelayMs(),
                r.get("model"),
                r.get("image_size"),
                o.device(),
                o.target());
        out.printf(
                "%-36s %9s %7s %9s %8s %8s %8s %8s   %s%n",
                "path",
                "requests",
                "errors",
                "req/s",
                "p50 ms",
                "p90 ms",
                "p99 ms",
                "max ms",
                "p50 ms of: worker queue / batch / outside the worker");
        row(out, "HTTP → gateway → Kafka → worker", r, "");
        if (r.get("worker_kafka_requests") != null) {
            row(out, "Kafka → worker (no gateway)", r, "worker_kafka_");
        }
        out.printf(
                "%-36s %9s %7s %9.1f img/s (%.1f ms per batch of %d)%n",
                "bare generator (no service)", "", "", r.get("bare_img_s"), r.get("bare_ms_per_batch"), o.batch());
        out.println();
        out.printf(
                "%-36s %9s %9s %11s %9s %9s %12s%n",
                "CPU ms per request", "gateway", "worker", "generator", "other", "broker", "load client");
        cpuRow(out, "HTTP → gateway → Kafka → worker", r, "");
        if (r.get("worker_kafka_requests") != null) {
            cpuRow(out, "Kafka → worker (no gateway)", r, "worker_kafka_");
        }
        out.println("(worker = generator, its compute threads, + other: the rest of the worker process, JIT and GC "
                + "included; after the load client: its JIT compiler threads, gateway / worker / broker / client; "
                + "\"-\": not measured)");
        out.println();
        out.printf(
                "%-36s %9s %15s %9s %12s%n",
                "CPU ms per request, JIT excluded", "gateway", "worker other", "broker", "load client");
        steadyRow(out, "HTTP → gateway → Kafka → worker", r, "");
        if (r.get("worker_kafka_requests") != null) {
            steadyRow(out, "Kafka → worker (no gateway)", r, "worker_kafka_");
        }
        if (r.get("idle_cpu_gateway_ms_per_s") != null) {
            double rate = ((Number) r.get("throughput_req_s")).doubleValue();
            out.printf(
                    "%-36s %9s %15s %9s%n",
                    "background without load, ms/s",
                    cpu(r.get("idle_cpu_gateway_steady_ms_per_s")),
                    cpu(r.get("idle_cpu_worker_steady_ms_per_s")),
                    cpu(r.get("idle_cpu_broker_steady_ms_per_s")));
            out.printf(
                    "%-36s %9s %15s %9s%n",
                    String.format("  that per request at %.1f req/s", rate),
                    cpu(perRequest(r.get("idle_cpu_gateway_steady_ms_per_s"), rate)),
                    cpu(perRequest(r.get("idle_cpu_worker_steady_ms_per_s"), rate)),
                    cpu(perRequest(r.get("idle_cpu_broker_steady_ms_per_s"), rate)));
        }
        out.println();
        out.printf(
                "%-36s %11s %15s %15s %10s %9s%n",
                "CPU ms per request by thread",
                "event loop",
                "Kafka consumer",
                "Kafka producer",
                "preparing",
                "the rest");
        threadRow(out, "gateway, through the gateway", "gateway", r, "");
        threadRow(out, "worker, through the gateway", CpuMeter.WORKER, r, "");
        if (r.get("worker_kafka_requests") != null) {
            threadRow(out, "worker, over Kafka", CpuMeter.WORKER, r, "worker_kafka_");
        }
        out.println("(the JIT-excluded figures above split by thread: the rest is the process's other threads, its "
                + "garbage collector, timers and Kafka's admin clients among them)");
        out.println();
        if (r.get("ratio_gateway_to_worker_kafka") != null) {
            out.printf("through the gateway ÷ worker over Kafka: %.2f%n", r.get("ratio_gateway_to_worker_kafka"));
        }
        out.printf("through the gateway ÷ bare generator:    %.2f%n", r.get("ratio_gateway_to_bare"));
        out.printf("errors through the gateway: %s%n%n", describeErrors(r.get("errors")));
    }

    private static void row(PrintStream out, String name, Map<String, Object> r, String p) {
        out.printf(
                "%-36s %9s %7d %9.1f %8s %8s %8s %8s   %s / %s / %s%n",
                name,
                r.get(p + "requests"),
                errorTotal(r.get(p + "errors")),
                r.get(p + "throughput_req_s"),
                ms(r.get(p + "latency_p50_ms")),
                ms(r.get(p + "latency_p90_ms")),
                ms(r.get(p + "latency_p99_ms")),
                ms(r.get(p + "latency_max_ms")),
                ms(r.get(p + "queue_p50_ms")),
                ms(r.get(p + "batch_p50_ms")),
                ms(r.get(p + "outside_worker_p50_ms")));
    }

    private static void cpuRow(PrintStream out, String name, Map<String, Object> r, String p) {
        out.printf(
                "%-36s %9s %9s %11s %9s %9s %12s   %s / %s%n",
                name,
                cpu(r.get(p + CPU_FIELDS.get(0))),
                cpu(r.get(p + CPU_FIELDS.get(1))),
                cpu(r.get(p + CPU_FIELDS.get(2))),
                cpu(r.get(p + CPU_FIELDS.get(3))),
                cpu(r.get(p + CPU_FIELDS.get(4))),
                cpu(r.get(p + CPU_FIELDS.get(5))),
                cpu(r.get(p + CPU_FIELDS.get(6))) + " / " + cpu(r.get(p + CPU_FIELDS.get(7))),
                cpu(r.get(p + CPU_FIELDS.get(8))) + " / " + cpu(r.get(p + CPU_FIELDS.get(9))));
    }

    private static void steadyRow(PrintStream out, String name, Map<String, Object> r, String p) {
        out.printf(
                "%-36s %9s %15s %9s %12s%n",
                name,
                cpu(r.get(p + CpuMeter.steadyField("gateway"))),
                cpu(r.get(p + CpuMeter.steadyField(CpuMeter.WORKER_OTHER))),
                cpu(r.get(p + CpuMeter.steadyField("broker"))),
                cpu(r.get(p + CpuMeter.steadyField(CpuMeter.CLIENT))));
    }

    private static void threadRow(PrintStream out, String name, String process, Map<String, Object> r, String p) {
        out.printf(
                "%-36s %11s %15s %15s %10s %9s%n",
                name,
                cpu(r.get(p + CpuMeter.field(process + CpuMeter.EVENT_LOOP))),
                cpu(r.get(p + CpuMeter.field(process + CpuMeter.KAFKA_CONSUMER))),
                cpu(r.get(p + CpuMeter.field(process + CpuMeter.KAFKA_PRODUCER))),
                cpu(r.get(p + CpuMeter.field(process + CpuMeter.PREPARING))),
                cpu(r.get(p + CpuMeter.field(process + CpuMeter.REST))));
    }

    private static Object perRequest(Object msPerSecond, double requestsPerSecond) {
        return msPerSecond == null || requestsPerSecond <= 0
                ? null
                : ((Number) msPerSecond).doubleValue() / requestsPerSecond;
    }

    private static String cpu(Object v) {
        return v == null ? "-" : String.format("%.2f", ((Number) v).doubleValue());
    }

    private static long errorTotal(Object errors) {
        return ((Map<?, ?>) errors)
                .values().stream().mapToLong(v -> ((Number) v).longValue()).sum();
    }

    private static String describeErrors(Object errors) {
        Map<?, ?> m = (Map<?, ?>) errors;
        return m.isEmpty()
                ? "none"
                : m.entrySet().stream()
                        .map(e -> e.getKey() + " ×" + e.getValue())
                        .collect(Collectors.joining(", "));
    }

    private static String ms(Object v) {
        return v == null ? "-" : String.format("%.1f", ((Number) v).doubleValue());
    }
}
