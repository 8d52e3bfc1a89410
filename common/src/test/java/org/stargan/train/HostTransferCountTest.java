package org.stargan.train;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;
import org.stargan.ckpt.GeneratorCheckpoint;
import org.stargan.ckpt.ModelInfo;
import org.stargan.infer.Translator;
import org.stargan.testing.HashedWeights;
import org.stargan.testing.HostTransfers;

/**
 * On a GPU every tensor made from Java data is a blocking host→device copy, and every value read back waits for the
 * device to finish. A training iteration copies in only its batch (the images, and one array with the labels, target
 * labels and gradient-penalty weights); loss weights, slopes and other constants are made once on the device. It reads
 * back one array of losses per network update. Counted in DJL's own entry points (see {@link HostTransfers}), so a
 * constant that slips back into an {@code op(Number)} anywhere in the step shows up here.
 */
class HostTransferCountTest {
    private static final int BATCH = 4;
    private static final int SIZE = 16;

    /** Every optional term on (identity loss, weight average), so every path of the step is counted. */
    private static final TrainConfig CONFIG = TrainConfig.official()
            .withNetworks(SIZE, 8, 8, 1, 3)
            .withBatchSize(BATCH)
            .withSchedule(100, 50, 2, 10)
            .withIdentityLoss(1)
            .withGeneratorAverage(0.99)
            .withSeed(3);

    @Test
    void aTrainingIterationCopiesInItsBatchOnceAndReadsBackOneLossArrayPerUpdate() {
        HostTransfers.start();
        try (NDManager m = NDManager.newBaseManager(Device.cpu());
                StarGanTrainer trainer = new StarGanTrainer(CONFIG, m)) {
            float[] pixels = HashedWeights.uniform(BATCH * 3 * SIZE * SIZE, 17, 0);
            float[][] labels = new float[BATCH][5];
            for (int i = 0; i < BATCH; i++) {
                labels[i][i % 5] = 1;
            }
            // Warm-up: the first iterations make the device constants.
            for (int it = 0; it < 2; it++) {
                iterate(trainer, m, it, pixels, labels);
            }
            for (int it = 2; it < 6; it++) {
                HostTransfers.Count before = HostTransfers.now();
                iterate(trainer, m, it, pixels, labels);
                HostTransfers.Count used = HostTransfers.now().minus(before);
                boolean gStep = (it + 1) % CONFIG.nCritic() == 0;
                System.out.printf(
                        "iteration %d (%s): %d host→device, %d device→host%n",
                        it, gStep ? "D+G" : "D only", used.toDevice(), used.toHost());
                assertThat(used.toDevice())
                        .as("host→device copies in iteration %d (the images and one label/noise array)", it)
                        .isEqualTo(2);
                assertThat(used.toHost())
                        .as("device→host reads in iteration %d (one loss array per update)", it)
                        .isEqualTo(gStep ? 2 : 1);
            }
        }
    }

    @Test
    void aTranslatedBatchCopiesInItsImagesAndLabelsAndReadsBackItsOutputOnce() {
        HostTransfers.start();
        GeneratorCheckpoint ckpt;
        try (NDManager m = NDManager.newBaseManager(Device.cpu());
                StarGanTrainer trainer = new StarGanTrainer(CONFIG, m)) {
            ckpt = GeneratorCheckpoint.of(trainer.generator(), ModelInfo.unknown());
        }
        int n = 3;
        float[] images = HashedWeights.uniform(n * 3 * SIZE * SIZE, 5, 0);
        float[] labels = new float[n * 5];
        try (Translator t = new Translator(ckpt, Device.cpu(), n)) {
            t.translate(images, n, SIZE, SIZE, labels);
            HostTransfers.Count before = HostTransfers.now();
            t.translate(images, n, SIZE, SIZE, labels);
            HostTransfers.Count used = HostTransfers.now().minus(before);
            System.out.printf("translated batch: %d host→device, %d device→host%n", used.toDevice(), used.toHost());
            assertThat(used).isEqualTo(new HostTransfers.Count(2, 1));
        }
    }

    private static void iterate(StarGanTrainer trainer, NDManager m, int it, float[] pixels, float[][] labels) {
        try (NDManager step = m.newSubManager()) {
            NDArray x = step.create(pixels, new Shape(BATCH, 3, SIZE, SIZE));
            trainer.iterate(it, x, labels, IterationNoise.draw(CONFIG.seed(), it, BATCH));
        }
    }
}
