package org.stargan.ckpt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.stargan.testing.HashedWeights;
import org.stargan.train.IterationNoise;
import org.stargan.train.StarGanTrainer;
import org.stargan.train.TrainConfig;

/**
 * A run saved after k iterations and resumed for k more equals 2k uninterrupted iterations (with the moving average of
 * G's weights too, when the run keeps one).
 */
class TrainingCheckpointTest {
    private static final int K = 5;
    private static final int BATCH = 4;
    private static final TrainConfig CONFIG = TrainConfig.official()
            .withNetworks(32, 16, 16, 2, 5)
            .withBatchSize(BATCH)
            .withSchedule(2 * K, K, 2, 1)
            .withSeed(77);

    @TempDir
    Path tmp;

    @Test
    void resumedRunEqualsTheUninterruptedOne() throws Exception {
        resumedRunEqualsTheUninterruptedOne(CONFIG);
    }

    @Test
    void resumedRunKeepingAMovingAverageEqualsTheUninterruptedOne() throws Exception {
        resumedRunEqualsTheUninterruptedOne(CONFIG.withGeneratorAverage(0.9));
    }

    private void resumedRunEqualsTheUninterruptedOne(TrainConfig config) throws Exception {
        Map<String, float[]> gStraight;
        Map<String, float[]> dStraight;
        Map<String, float[]> averageStraight = null;
        try (NDManager m = NDManager.newBaseManager();
                StarGanTrainer t = new StarGanTrainer(config, m)) {
            run(t, m, 0, 2 * K);
            gStraight = t.generator().parameters().toFloatArrays();
            dStraight = t.discriminator().parameters().toFloatArrays();
            if (t.generatorAverage() != null) {
                averageStraight = t.generatorAverage().parameters().toFloatArrays();
            }
        }
        Path state = tmp.resolve("state.safetensors");
        try (NDManager m = NDManager.newBaseManager();
                StarGanTrainer t = new StarGanTrainer(config, m)) {
            run(t, m, 0, K);
            TrainingCheckpoint.save(state, t, K, ModelInfo.unknown());
        }
        try (NDManager m = NDManager.newBaseManager()) {
            TrainingCheckpoint.Restored r = TrainingCheckpoint.restore(state, m);
            try (StarGanTrainer t = r.trainer()) {
                assertThat(r.nextIteration()).isEqualTo(K);
                assertThat(t.config()).isEqualTo(config);
                run(t, m, K, 2 * K);
                assertThat(maxAbsDiff(t.generator().parameters().toFloatArrays(), gStraight))
                        .as("G max |resumed − straight|")
                        .isLessThan(1e-6);
                assertThat(maxAbsDiff(t.discriminator().parameters().toFloatArrays(), dStraight))
                        .as("D max |resumed − straight|")
                        .isLessThan(1e-6);
                if (averageStraight != null) {
                    assertThat(maxAbsDiff(t.generatorAverage().parameters().toFloatArrays(), averageStraight))
                            .as("average max |resumed − straight|")
                            .isLessThan(1e-6);
                } else {
                    assertThat(t.generatorAverage()).isNull();
                }
                assertThat(t.generatorOptimizer().stepCount()).isEqualTo(K);
                assertThat(t.discriminatorOptimizer().stepCount()).isEqualTo(2 * K);
            }
        }
    }

    @Test
    void resumedRunEqualsTheUninterruptedOneOnAnotherThread() throws Exception {
        Throwable[] failure = new Throwable[1];
        Thread t = new Thread(() -> {
            try {
                resumedRunEqualsTheUninterruptedOne();
            } catch (Throwable e) {
                failure[0] = e;
            }
        });
        t.start();
        t.join();
        if (failure[0] != null) {
            throw new AssertionError(failure[0]);
        }
    }

    @Test
    void aStateSavedBeforeTheAverageExistedResumesWithoutOne() throws Exception {
        Path current = tmp.resolve("current.safetensors");
        try (NDManager m = NDManager.newBaseManager();
                StarGanTrainer t = new StarGanTrainer(CONFIG, m)) {
            run(t, m, 0, 1);
            TrainingCheckpoint.save(current, t, 1, ModelInfo.unknown());
        }
        // The configuration as states wrote it before gEmaBeta existed: the same JSON without that field.
        SafeTensors.Contents c = SafeTensors.read(current);
        Map<String, String> meta = new java.util.LinkedHashMap<>(c.metadata());
        String config = meta.get("stargan.state.train_config");
        assertThat(config).contains(",\"gEmaBeta\":0.0");
        meta.put("stargan.state.train_config", config.replace(",\"gEmaBeta\":0.0", ""));
        Path old = tmp.resolve("old.safetensors");
        SafeTensors.write(old, c.tensors(), meta);
        try (NDManager m = NDManager.newBaseManager()) {
            TrainingCheckpoint.Restored r = TrainingCheckpoint.restore(old, m, CONFIG);
            try (StarGanTrainer t = r.trainer()) {
                assertThat(t.config()).isEqualTo(CONFIG);
                assertThat(t.generatorAverage()).isNull();
            }
        }
    }

    @Test
    void aModelCheckpointIsNotATrainingState() throws Exception {
        Path model = tmp.resolve("G.safetensors");
        GeneratorCheckpoint.load(OfficialCheckpointTest.fixture("tiny-G.zip.ckpt"))
                .save(model);
        try (NDManager m = NDManager.newBaseManager()) {
            assertThatThrownBy(() -> TrainingCheckpoint.restore(model, m)).hasMessageContaining("not a training state");
        }
    }

    private static void run(StarGanTrainer t, NDManager m, int from, int to) {
        for (int it = from; it < to; it++) {
            try (NDManager step = m.newSubManager()) {
                NDArray x = step.create(
                        HashedWeights.uniform(BATCH * 3 * 32 * 32, 500 + it, 0), new Shape(BATCH, 3, 32, 32));
                float[][] labels = new float[BATCH][5];
                for (int i = 0; i < BATCH; i++) {
                    labels[i][(i + it) % 5] = 1;
                    labels[i][(i + 2 * it + 1) % 5] = 1;
                }
                t.iterate(it, x, labels, IterationNoise.draw(CONFIG.seed(), it, BATCH));
            }
        }
    }

    private static double maxAbsDiff(Map<String, float[]> a, Map<String, float[]> b) {
        double max = 0;
        for (String k : List.copyOf(b.keySet())) {
            float[] x = a.get(k);
            float[] y = b.get(k);
            for (int i = 0; i < y.length; i++) {
                max = Math.max(max, Math.abs((double) x[i] - y[i]));
            }
        }
        return max;
    }
}
