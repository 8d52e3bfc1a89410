package org.stargan.infer;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.Objects;
import org.stargan.ckpt.GeneratorCheckpoint;
import org.stargan.nn.Generator;
import org.stargan.nn.GradMode;

/**
 * Runs a generator on images held in Java memory: (N, 3, H, W) floats in [−1, 1] and one label vector per image, in
 * batches, without autograd. Not thread-safe: one translator per thread.
 *
 * <p>Per batch it copies the images and the labels to the device once each and reads the output back once. It may
 * compute in reduced {@link Precision} (weights converted once, at load) and pad batches up to fixed
 * {@link BatchBuckets} (by default on a GPU, where cuDNN autotunes each new shape).
 */
public final class Translator implements AutoCloseable {
    private final NDManager manager;
    private final Generator generator;
    private final int batchSize;
    private final Precision precision;
    private final BatchBuckets buckets;

    /** Loads the checkpoint's weights onto {@code device}, float32, batches padded as {@link Builder} defaults. */
    public Translator(GeneratorCheckpoint checkpoint, Device device, int batchSize) {
        this(builder().setCheckpoint(checkpoint).setDevice(device).optBatchSize(batchSize));
    }

    private Translator(Builder b) {
        b.check();
        this.batchSize = b.batchSize;
        this.precision = b.precision;
        this.buckets = b.buckets != null
                ? b.buckets
                : b.device.isGpu() ? BatchBuckets.powersOfTwo(b.batchSize) : BatchBuckets.none();
        this.manager = NDManager.newBaseManager(b.device);
        try {
            this.generator = Generator.forWeights(b.checkpoint.config(), manager, precision.dataType());
            b.checkpoint.loadInto(generator);
        } catch (RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    /** A builder: {@code setCheckpoint} and {@code setDevice} are required. */
    public static Builder builder() {
        return new Builder();
    }

    /** Number of domains the generator expects. */
    public int cDim() {
        return generator.config().cDim();
    }

    /** The element type it computes in. */
    public Precision precision() {
        return precision;
    }

    /** The batch sizes it pads to. */
    public BatchBuckets buckets() {
        return buckets;
    }

    /**
     * Translates {@code n} images of {@code height}×{@code width} (C-order (N, 3, H, W)) into the domains
     * {@code labels} ((N, c_dim)); returns the raw G output, same layout.
     */
    public float[] translate(float[] images, int n, int height, int width, float[] labels) {
        int plane = 3 * height * width;
        int c = cDim();
        if (images.length != (long) n * plane) {
            throw new IllegalArgumentException(
                    "images: " + images.length + " values, expected " + n + "×3×" + height + "×" + width);
        }
        if (labels.length != n * c) {
            throw new IllegalArgumentException("labels: " + labels.length + " values, expected " + n + "×" + c);
        }
        float[] out = new float[images.length];
        for (int start = 0; start < n; start += batchSize) {
            int b = Math.min(batchSize, n - start);
            // Padding rows stay zero: instance normalisation keeps them from touching the real ones.
            int padded = buckets.sizeFor(b);
            float[] xs = new float[padded * plane];
            float[] cs = new float[padded * c];
            System.arraycopy(images, start * plane, xs, 0, b * plane);
            System.arraycopy(labels, start * c, cs, 0, b * c);
            try (NDManager step = manager.newSubManager();
                    GradMode ignored = GradMode.off()) {
                NDArray x = typed(step.create(xs, new Shape(padded, 3, height, width)));
                NDArray y = generator.forward(x, typed(step.create(cs, new Shape(padded, c))));
                if (padded != b) {
                    y = y.get(new NDIndex("0:{}", b));
                }
                float[] values = y.toType(DataType.FLOAT32, false).toFloatArray();
                System.arraycopy(values, 0, out, start * plane, b * plane);
            }
        }
        return out;
    }

    private NDArray typed(NDArray a) {
        return a.toType(precision.dataType(), false);
    }

    @Override
    public void close() {
        manager.close();
    }

    /** Builds a {@link Translator}. */
    public static final class Builder {
        private GeneratorCheckpoint checkpoint;
        private Device device;
        private int batchSize = 16;
        private Precision precision = Precision.FP32;
        private BatchBuckets buckets;

        private Builder() {}

        /** The generator to run (required). */
        public Builder setCheckpoint(GeneratorCheckpoint checkpoint) {
            this.checkpoint = checkpoint;
            return this;
        }

        /** Where to run it (required). */
        public Builder setDevice(Device device) {
            this.device = device;
            return this;
        }

        /** The largest batch computed at once (default 16). */
        public Builder optBatchSize(int batchSize) {
            this.batchSize = batchSize;
            return this;
        }

        /** The element type (default float32). */
        public Builder optPrecision(Precision precision) {
            this.precision = Objects.requireNonNull(precision, "precision");
            return this;
        }

        /** Batch sizes to pad to (default: powers of two up to the batch size on a GPU, none on the CPU). */
        public Builder optBatchBuckets(BatchBuckets buckets) {
            this.buckets = Objects.requireNonNull(buckets, "buckets");
            return this;
        }

        /** Loads the weights onto the device; fails naming what is missing or out of range. */
        public Translator build() {
            return new Translator(this);
        }

        private void check() {
            if (checkpoint == null || device == null) {
                throw new IllegalStateException("Translator: setCheckpoint and setDevice are required");
            }
            if (batchSize < 1) {
                throw new IllegalArgumentException("batchSize: " + batchSize + ", expected ≥ 1");
            }
        }
    }
}
