package org.stargan.deploy.bench;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What one load phase saw: the latency of every successful request and a count of the failed ones by reason (an HTTP
 * status such as {@code 429}, {@code timeout}, {@code io:ConnectException}, ...). Thread-safe: every load thread records
 * into the same instance.
 */
final class LoadStats {
    private final List<Double> latenciesMs = new ArrayList<>();
    private final Map<String, Long> errors = new TreeMap<>();

    synchronized void ok(double latencyMs) {
        latenciesMs.add(latencyMs);
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
     * second of {@code elapsedSeconds}) and latency mean/p50/p90/p99/max in ms (null when nothing succeeded).
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
        s.put("latency_mean_ms", sorted.isEmpty() ? null : sorted.stream().mapToDouble(Double::doubleValue).average().orElseThrow());
        s.put("latency_p50_ms", percentile(sorted, 50));
        s.put("latency_p90_ms", percentile(sorted, 90));
        s.put("latency_p99_ms", percentile(sorted, 99));
        s.put("latency_max_ms", sorted.isEmpty() ? null : sorted.get(sorted.size() - 1));
        return s;
    }

    /** Nearest-rank percentile of ascending {@code sorted} values; null when there are none. */
    static Double percentile(List<Double> sorted, double p) {
        if (sorted.isEmpty()) {
            return null;
        }
        int i = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, i)));
    }
}
