package org.stargan.infer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.Device;
import java.nio.file.Path;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.stargan.ckpt.GeneratorCheckpoint;
import org.stargan.data.ImageCodec;
import org.stargan.data.SyntheticFaces;

/**
 * Reduced precision and batch padding on the demo model (a generator trained by the 48 px recipe), with synthetic
 * faces in, against float32 unpadded as the reference. Outputs are in [−1, 1]; the tolerances are the ones
 * {@link Precision} states. libtorch runs fp16 convolutions on the CPU too, so the error is checked here; a GPU computes
 * the same type on tensor cores and may differ in rounding, not in kind.
 */
class TranslatorPrecisionTest {
    private static final Path MODEL = Path.of("..", "deploy", "models", "synthetic48-G.safetensors");
    private static final int N = 6;

    @Test
    void fp16StaysWithinTheStatedErrorOfFloat32() throws Exception {
        GeneratorCheckpoint ckpt = GeneratorCheckpoint.load(MODEL);
        int size = ckpt.info().imageSize();
        Batch batch = faces(ckpt.config().cDim(), size);
        float[] reference = run(ckpt, Precision.FP32, BatchBuckets.none(), batch, size);
        Error fp16 = Error.between(reference, run(ckpt, Precision.FP16, BatchBuckets.none(), batch, size));
        System.out.printf("fp16 vs fp32 on the demo model: largest pixel error %.5f, mean %.6f%n", fp16.max, fp16.mean);
        assertThat(fp16.max).as("fp16 largest pixel error").isLessThan(0.01);
        assertThat(fp16.mean).as("fp16 mean pixel error").isLessThan(0.001);
        // fp16 changes the numbers, so the comparison above is not comparing float32 with itself.
        assertThat(fp16.max).isGreaterThan(0);
    }

    @Test
    void paddingABatchUpToItsBucketChangesNoOutput() throws Exception {
        GeneratorCheckpoint ckpt = GeneratorCheckpoint.load(MODEL);
        int size = ckpt.info().imageSize();
        Batch batch = faces(ckpt.config().cDim(), size);
        float[] exact = run(ckpt, Precision.FP32, BatchBuckets.none(), batch, size);
        // Batches of 4 and 2 (6 images, batch size 4) run as 4 and 4 with buckets [4]: two padding rows.
        BatchBuckets buckets = BatchBuckets.of(4);
        float[] padded = run(ckpt, Precision.FP32, buckets, batch, size);
        assertThat(buckets.sizeFor(2)).isEqualTo(4);
        assertThat(Error.between(exact, padded).max).isLessThan(1e-5);
    }

    @Test
    void bucketsArePowersOfTwoUpToTheLargestBatch() {
        assertThat(BatchBuckets.powersOfTwo(16).sizes()).containsExactly(1, 2, 4, 8, 16);
        assertThat(BatchBuckets.powersOfTwo(12).sizes()).containsExactly(1, 2, 4, 8, 12);
        assertThat(BatchBuckets.powersOfTwo(12).sizeFor(9)).isEqualTo(12);
        assertThat(BatchBuckets.powersOfTwo(12).sizeFor(3)).isEqualTo(4);
        assertThat(BatchBuckets.none().sizeFor(7)).isEqualTo(7);
        assertThat(Precision.parse("FP16")).isEqualTo(Precision.FP16);
        assertThatThrownBy(() -> Precision.parse("fp8"))
                .hasMessageContaining("--precision")
                .hasMessageContaining("fp8");
        // Refused with the reason, before DJL's bridge could abort the process on the type.
        assertThatThrownBy(() -> Precision.parse("bf16"))
                .hasMessageContaining("bfloat16")
                .hasMessageContaining("fp16");
    }

    private record Batch(float[] images, float[] labels) {}

    private record Error(double max, double mean) {
        static Error between(float[] a, float[] b) {
            double max = 0;
            double sum = 0;
            for (int i = 0; i < a.length; i++) {
                double d = Math.abs(a[i] - b[i]);
                max = Math.max(max, d);
                sum += d;
            }
            return new Error(max, sum / a.length);
        }
    }

    private static float[] run(GeneratorCheckpoint ckpt, Precision p, BatchBuckets buckets, Batch batch, int size) {
        try (Translator t = Translator.builder()
                .setCheckpoint(ckpt)
                .setDevice(Device.cpu())
                .optBatchSize(4)
                .optPrecision(p)
                .optBatchBuckets(buckets)
                .build()) {
            return t.translate(batch.images, N, size, size, batch.labels);
        }
    }

    /** Synthetic faces, each asked for a different target. */
    private static Batch faces(int cDim, int size) {
        SplittableRandom r = new SplittableRandom(11);
        int plane = 3 * size * size;
        float[] images = new float[N * plane];
        float[] labels = new float[N * cDim];
        for (int i = 0; i < N; i++) {
            var face = SyntheticFaces.render(100 + i, SyntheticFaces.Attributes.random(r), size);
            System.arraycopy(ImageCodec.toTensor(face, 0, size).chw(), 0, images, i * plane, plane);
            labels[i * cDim + i % cDim] = 1;
        }
        return new Batch(images, labels);
    }
}
