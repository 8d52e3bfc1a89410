package org.stargan.deploy.bench;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What one load phase saw: the latency of every successful request, split into the worker's reported queue and batch
 * time and the rest (client, HTTP, gateway, Kafka both ways, image encoding), and a count of the failed requests by
 * reason (an HTTP status such as {@code 429}, {@code timeout}, {@code io:ConnectException}, ...). Thread-safe: every
 * load thread records into the same instance.
 */
final class LoadStats {
    private final List<Double> latenciesMs = new ArrayList<>();
    private final List<Double> queueMs = new ArrayList<>();
    private final List<Double> computeMs = new ArrayList<>();
    private final List<Double> outsideMs = new ArrayList<>();
    private final Map<String, Long> errors = new TreeMap<>();

    /** A successful request; {@code queue} and {@code compute} are the worker's report (NaN when it gave none). */
    synchronized void ok(double latencyMs, double queue, double compute) {
        latenciesMs.add(latencyMs);
        if (!Double.isNaN(queue) && !Double.isNaN(compute)) {
            queueMs.add(queue);
            computeMs.add(compute);
            outsideMs.add(latencyMs - queue - compute);
        }
    }

    synchronized void error(String reason) {
        errors.merge(reason, 1L, Long::sum);
    }

    synchronized long okCount() {
        return latenciesMs.size();
    }

    synchronized long errorCount() {
        return errors.values().stream().mapToLong(Long::longValue).sum();
    }

    /**
     * The phase's figures: requests (answered or failed), ok, errors by reason, throughput (successful requests per
     * second of {@code elapsedSeconds}), latency mean/p50/p90/p99/max in ms, and the medians of the worker's queue time,
     * its batch time and the time outside both (null when nothing succeeded or the worker reported no timings).
     */
    synchronized Map<String, Object> summary(double elapsedSeconds) {
        List<Double> sorted = new ArrayList<>(latenciesMs);
        Collections.sort(sorted);
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("requests", sorted.size() + errorCount());
        s.put("ok", (long) sorted.size());
        s.put("errors", new TreeMap<>(errors));
        s.put("elapsed_s", elapsedSeconds);
        s.put("throughput_req_s", elapsedSeconds > 0 ? sorted.size() / elapsedSeconds : 0.0);
        s.put(
                "latency_mean_ms",
                sorted.isEmpty()
                        ? null
                        : sorted.stream()
                                .mapToDouble(Double::doubleValue)
                                .average()
                                .orElseThrow());
        s.put("latency_p50_ms", percentile(sorted, 50));
        s.put("latency_p90_ms", percentile(sorted, 90));
        s.put("latency_p99_ms", percentile(sorted, 99));
        s.put("latency_max_ms", sorted.isEmpty() ? null : sorted.get(sorted.size() - 1));
        s.put("queue_p50_ms", median(queueMs));
        s.put("batch_p50_ms", median(computeMs));
        s.put("outside_worker_p50_ms", median(outsideMs));
        return s;
    }

    private static Double median(List<Double> values) {
        List<Double> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        return percentile(sorted, 50);
    }

    /** Nearest-rank percentile of ascending {@code sorted} values; null when there are none. */
    static Double percentile(List<Double> sorted, double p) {
        return sorted.isEmpty() ? null : org.stargan.bench.Percentiles.nearestRank(sorted, p);
    }
}
