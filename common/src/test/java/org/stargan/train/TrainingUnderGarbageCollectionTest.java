package org.stargan.train;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.stargan.testing.HashedWeights;

/**
 * A run's weights do not depend on when the garbage collector runs. Before the loss constants lived in libtorch's
 * memory, a collection between a step's forward and backward changed that step's gradients (a resumed trainer-worker
 * job then missed its uninterrupted twin by up to 5e-4, sometimes NaN).
 */
class TrainingUnderGarbageCollectionTest {
    private static final int ITERATIONS = 10;
    private static final int BATCH = 4;
    private static final int SIZE = 16;
    private static final TrainConfig CONFIG = TrainConfig.official()
            .withNetworks(SIZE, 8, 8, 1, 3)
            .withBatchSize(BATCH)
            .withSchedule(ITERATIONS, ITERATIONS, 2, 1)
            .withSeed(5);

    @Test
    void aRunWithTheCollectorRunningThroughoutEqualsAQuietOne() throws Exception {
        Map<String, float[]> quiet = train();
        Thread collector = new Thread(
                () -> {
                    try {
                        while (true) {
                            System.gc();
                            // A pause, so the steps still run between the collections.
                            Thread.sleep(2);
                        }
                    } catch (InterruptedException e) {
                        // the run is over
                    }
                },
                "collecting");
        collector.setDaemon(true);
        collector.start();
        Map<String, float[]> collected;
        try {
            collected = train();
        } finally {
            collector.interrupt();
            collector.join();
        }
        for (var e : quiet.entrySet()) {
            assertThat(collected.get(e.getKey())).as(e.getKey()).containsExactly(e.getValue());
        }
    }

    /** D and G weights after {@link #ITERATIONS} iterations from the seed. */
    private static Map<String, float[]> train() {
        try (NDManager m = NDManager.newBaseManager();
                StarGanTrainer t = new StarGanTrainer(CONFIG, m)) {
            for (int it = 0; it < ITERATIONS; it++) {
                try (NDManager step = m.newSubManager()) {
                    NDArray x = step.create(
                            HashedWeights.uniform(BATCH * 3 * SIZE * SIZE, 900 + it, 0),
                            new Shape(BATCH, 3, SIZE, SIZE));
                    float[][] labels = new float[BATCH][5];
                    for (int i = 0; i < BATCH; i++) {
                        labels[i][(i + it) % 5] = 1;
                    }
                    t.iterate(it, x, labels, IterationNoise.draw(CONFIG.seed(), it, BATCH));
                }
            }
            Map<String, float[]> w = new java.util.LinkedHashMap<>();
            t.generator().parameters().toFloatArrays().forEach((k, v) -> w.put("G/" + k, v));
            t.discriminator().parameters().toFloatArrays().forEach((k, v) -> w.put("D/" + k, v));
            return w;
        }
    }
}
