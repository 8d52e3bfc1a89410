package org.stargan.bench;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** Wall-clock samples in milliseconds, summarised by their median (robust to a noisy neighbour on a shared machine). */
final class Timings {
    private final List<Double> samples = new ArrayList<>();

    void add(long startNanos, long endNanos) {
        samples.add((endNanos - startNanos) / 1e6);
    }

    double median() {
        if (samples.isEmpty()) {
            return Double.NaN;
        }
        List<Double> s = new ArrayList<>(samples);
        Collections.sort(s);
        int n = s.size();
        return n % 2 == 1 ? s.get(n / 2) : (s.get(n / 2 - 1) + s.get(n / 2)) / 2;
    }

    int count() {
        return samples.size();
    }
}
