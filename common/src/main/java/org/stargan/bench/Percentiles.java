package org.stargan.bench;

import java.util.List;

/** Latency percentiles as the serving benchmarks report them. */
public final class Percentiles {
    private Percentiles() {}

    /** Nearest-rank percentile {@code p} (0..100) of ascending, non-empty {@code sorted}: an observed value, never an interpolation. */
    public static double nearestRank(List<Double> sorted, double p) {
        int i = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, i)));
    }
}
