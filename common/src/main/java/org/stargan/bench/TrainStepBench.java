package org.stargan.bench;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import org.stargan.train.IterationNoise;
import org.stargan.train.StarGanTrainer;
import org.stargan.train.TrainConfig;

/**
 * Times training iterations: with n_critic = 2 iterations alternate between a D step only and a D step followed by a
 * G step, so one run gives the median of each ({@code d_step_ms}, {@code d_plus_g_ms}).
 */
public final class TrainStepBench {
    private TrainStepBench() {}

    /** Runs {@code warmup} untimed and {@code iterations} timed iterations of each kind. */
    public static Map<String, Object> run(
            NDManager manager, BenchConfig config, int batch, int warmup, int iterations, PrintStream progress) {
        TrainConfig tc = config.trainConfig(batch).withSchedule(1_000_000, 0, 2, 1000);
        Timings dOnly = new Timings();
        Timings dPlusG = new Timings();
        Random random = new Random(3);
        float[][] labels = new float[batch][5];
        for (float[] row : labels) {
            for (int j = 0; j < row.length; j++) {
                row[j] = random.nextBoolean() ? 1 : 0;
            }
        }
        try (NDManager m = manager.newSubManager();
                StarGanTrainer trainer = new StarGanTrainer(tc, m)) {
            NDArray x = m.randomUniform(-1, 1, new Shape(batch, 3, config.imageSize, config.imageSize));
            int total = 2 * (warmup + iterations);
            for (int it = 0; it < total; it++) {
                long start = System.nanoTime();
                trainer.iterate(it, x, labels, IterationNoise.draw(1, it, batch));
                long end = System.nanoTime();
                if (it >= 2 * warmup) {
                    (it % 2 == 1 ? dPlusG : dOnly).add(start, end);
                }
                progress.printf(
                        "\rtrain-step %s batch %d: %d/%d%s",
                        config.cliName(), batch, it + 1, total, it < 2 * warmup ? " (warm-up)" : "");
            }
            progress.println();
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("d_step_ms", dOnly.median());
        out.put("d_plus_g_ms", dPlusG.median());
        out.put("batch", batch);
        out.put("config", config.cliName());
        out.put("samples", dOnly.count());
        return out;
    }
}
