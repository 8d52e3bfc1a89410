package org.stargan.train;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.stargan.testing.HashedWeights;

/**
 * {@code --g-ema-beta}: the moving average of G's weights follows ema ← β·ema + (1 − β)·G after each G step and
 * nothing else, and it is a pure observer: G and D train exactly as without it.
 */
class GeneratorAverageTest {
    private static final int BATCH = 2;
    private static final int ITERATIONS = 6;
    private static final double BETA = 0.75;
    /** n_critic 2: G steps at iterations 1, 3, 5 only, so an update after a D-only iteration would show. */
    private static final TrainConfig PLAIN = TrainConfig.official()
            .withNetworks(16, 8, 8, 1, 3)
            .withBatchSize(BATCH)
            .withSchedule(ITERATIONS, ITERATIONS / 2, 2, 1)
            .withIdentityLoss(5)
            .withSeed(5);

    @Test
    void theAverageFollowsTheRecursionOverGSteps() {
        try (NDManager m = NDManager.newBaseManager();
                StarGanTrainer t = new StarGanTrainer(PLAIN.withGeneratorAverage(BETA), m)) {
            Map<String, double[]> expected = toDouble(t.generator().parameters().toFloatArrays());
            assertThat(maxAbsDiff(t.generatorAverage().parameters().toFloatArrays(), expected))
                    .as("start: G's initial weights")
                    .isZero();
            assertThat(t.outputGenerator()).isSameAs(t.generatorAverage());
            for (int it = 0; it < ITERATIONS; it++) {
                Map<String, float[]> before = t.generator().parameters().toFloatArrays();
                iterate(t, m, it);
                Map<String, float[]> after = t.generator().parameters().toFloatArrays();
                boolean gStepped = (it + 1) % PLAIN.nCritic() == 0;
                assertThat(maxAbsDiff(after, toDouble(before)) > 0)
                        .as("G changed at iteration " + it)
                        .isEqualTo(gStepped);
                if (gStepped) {
                    after.forEach((k, g) -> {
                        double[] avg = expected.get(k);
                        for (int i = 0; i < avg.length; i++) {
                            avg[i] = BETA * avg[i] + (1 - BETA) * g[i];
                        }
                    });
                }
                assertThat(maxAbsDiff(t.generatorAverage().parameters().toFloatArrays(), expected))
                        .as("max |average − β-recursion| after iteration " + it)
                        .isLessThan(1e-6);
            }
            // Three G steps from the initial weights: the average has moved, and is not G itself.
            assertThat(maxAbsDiff(
                            t.generatorAverage().parameters().toFloatArrays(),
                            toDouble(t.generator().parameters().toFloatArrays())))
                    .isGreaterThan(1e-5);
        }
    }

    @Test
    void keepingTheAverageDoesNotChangeTraining() {
        Map<String, float[]> gPlain;
        Map<String, float[]> dPlain;
        try (NDManager m = NDManager.newBaseManager();
                StarGanTrainer t = new StarGanTrainer(PLAIN, m)) {
            assertThat(t.generatorAverage()).isNull();
            assertThat(t.outputGenerator()).isSameAs(t.generator());
            for (int it = 0; it < ITERATIONS; it++) {
                iterate(t, m, it);
            }
            gPlain = t.generator().parameters().toFloatArrays();
            dPlain = t.discriminator().parameters().toFloatArrays();
        }
        try (NDManager m = NDManager.newBaseManager();
                StarGanTrainer t = new StarGanTrainer(PLAIN.withGeneratorAverage(BETA), m)) {
            for (int it = 0; it < ITERATIONS; it++) {
                iterate(t, m, it);
            }
            assertThat(maxAbsDiff(t.generator().parameters().toFloatArrays(), toDouble(gPlain)))
                    .as("G with vs without the average")
                    .isZero();
            assertThat(maxAbsDiff(t.discriminator().parameters().toFloatArrays(), toDouble(dPlain)))
                    .as("D with vs without the average")
                    .isZero();
        }
    }

    private static void iterate(StarGanTrainer t, NDManager m, int it) {
        try (NDManager step = m.newSubManager()) {
            NDArray x =
                    step.create(HashedWeights.uniform(BATCH * 3 * 16 * 16, 900 + it, 0), new Shape(BATCH, 3, 16, 16));
            float[][] labels = {{1, 0, 0, 1, 0}, {0, 0, 1, 0, 1}};
            t.iterate(it, x, labels, IterationNoise.draw(PLAIN.seed(), it, BATCH));
        }
    }

    private static double[] toDouble(float[] v) {
        double[] d = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            d[i] = v[i];
        }
        return d;
    }

    private static Map<String, double[]> toDouble(Map<String, float[]> m) {
        Map<String, double[]> out = new HashMap<>();
        m.forEach((k, v) -> out.put(k, toDouble(v)));
        return out;
    }

    private static double maxAbsDiff(Map<String, float[]> actual, Map<String, double[]> expected) {
        assertThat(actual.keySet()).isEqualTo(expected.keySet());
        double max = 0;
        for (Map.Entry<String, double[]> e : expected.entrySet()) {
            float[] a = actual.get(e.getKey());
            double[] b = e.getValue();
            for (int i = 0; i < b.length; i++) {
                max = Math.max(max, Math.abs(a[i] - b[i]));
            }
        }
        return max;
    }
}
