package org.stargan.train;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * 300 iterations at the small config (32 px, conv 16, G repeat 2, D repeat 5, batch 8, n_critic 5) hold memory flat,
 * as the official code trains and with a moving average of G's weights kept ({@code --g-ema-beta}, whose in-place update
 * after each G step is held to the same bounds).
 *
 * <p>Bounds: the number of live NDArrays is exactly the same after every iteration (no array outlives its step);
 * native memory (RSS minus the JVM's committed heap) grows by less than 150 MB from iteration 50 to 300 (RSS moves by
 * tens of MB with the allocator's arenas and the JIT: −18 to +58 MB measured here). PyTorch's create-graph backward
 * driven from DJL leaks about 2.3 MB per iteration, which would be ~575 MB here.
 */
class TrainingMemoryTest {

    @ParameterizedTest(name = "g-ema-beta {0}")
    @ValueSource(doubles = {0, 0.999})
    void memoryStaysFlatOver300Iterations(double gEmaBeta) throws IOException {
        TrainConfig config = TrainConfig.official()
                .withNetworks(32, 16, 16, 2, 5)
                .withBatchSize(8)
                .withGeneratorAverage(gEmaBeta);
        try (NDManager m = NDManager.newBaseManager();
                StarGanTrainer trainer = new StarGanTrainer(config, m)) {
            // Faces: data like the real thing.
            float[] pixels = new float[8 * 3 * 32 * 32];
            for (int i = 0; i < 8; i++) {
                var face = org.stargan.data.SyntheticFaces.render(
                        100 + i,
                        org.stargan.data.SyntheticFaces.Attributes.random(new java.util.SplittableRandom(i)),
                        32);
                System.arraycopy(
                        org.stargan.data.ImageCodec.toTensor(face, 0, 32).chw(),
                        0,
                        pixels,
                        i * 3 * 32 * 32,
                        3 * 32 * 32);
            }
            NDArray images = m.create(pixels, new Shape(8, 3, 32, 32));
            float[][] labels = PyTorchParityTest.labels(8, 5, true, 9);
            int arraysAfterFirst = -1;
            long nativeAt50 = 0;
            int firstNonFinite = -1;
            long nativeAt300 = 0;
            for (int it = 0; it < 300; it++) {
                StepLosses l = trainer.iterate(it, images, labels, IterationNoise.draw(7, it, 8));
                if (!Double.isFinite(l.dGp()) && firstNonFinite < 0) {
                    // Reported, not asserted: this test is about memory. Some runs of this 300-iteration loop reach a
                    // non-finite penalty (an open stability question, see the README); memory must stay flat
                    // regardless.
                    firstNonFinite = it;
                }
                int arrays = m.getManagedArrays().size();
                if (it == 0) {
                    arraysAfterFirst = arrays;
                }
                assertThat(arrays).as("live NDArrays after iteration %d", it).isEqualTo(arraysAfterFirst);
                if (it == 49) {
                    nativeAt50 = nativeBytes();
                }
            }
            nativeAt300 = nativeBytes();
            long growthMb = (nativeAt300 - nativeAt50) >> 20;
            System.out.printf(
                    "native memory growth over iterations 50..300: %d MB; first non-finite penalty at iteration %d%n",
                    growthMb, firstNonFinite);
            assertThat(growthMb)
                    .as("native memory growth in MB, iterations 50..300")
                    .isLessThan(150);
        }
    }

    /** Resident set size minus the heap the JVM has committed. */
    private static long nativeBytes() throws IOException {
        System.gc();
        long rssKb = 0;
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmRSS:")) {
                rssKb = Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        long heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getCommitted();
        return rssKb * 1024 - heap;
    }
}
