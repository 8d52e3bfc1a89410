package org.stargan.infer;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import org.stargan.ckpt.GeneratorCheckpoint;
import org.stargan.nn.Generator;
import org.stargan.nn.GradMode;

/**
 * Runs a generator on images held in Java memory: (N, 3, H, W) floats in [−1, 1] and one label vector per image, in
 * batches, without autograd. Not thread-safe: one translator per thread.
 */
public final class Translator implements AutoCloseable {
    private final NDManager manager;
    private final Generator generator;
    private final int batchSize;

    /** Loads the checkpoint's weights onto {@code device}. */
    public Translator(GeneratorCheckpoint checkpoint, Device device, int batchSize) {
        if (batchSize < 1) {
            throw new IllegalArgumentException("batchSize: " + batchSize + ", expected ≥ 1");
        }
        this.manager = NDManager.newBaseManager(device);
        this.batchSize = batchSize;
        try {
            this.generator = new Generator(checkpoint.config(), manager, DataType.FLOAT32, 0);
            checkpoint.loadInto(generator);
        } catch (RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    /** Number of domains the generator expects. */
    public int cDim() {
        return generator.config().cDim();
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
            float[] xs = new float[b * plane];
            float[] cs = new float[b * c];
            System.arraycopy(images, start * plane, xs, 0, xs.length);
            System.arraycopy(labels, start * c, cs, 0, cs.length);
            try (NDManager step = manager.newSubManager();
                    GradMode ignored = GradMode.off()) {
                NDArray x = step.create(xs, new Shape(b, 3, height, width));
                NDArray y = generator.forward(x, step.create(cs, new Shape(b, c)));
                System.arraycopy(y.toFloatArray(), 0, out, start * plane, b * plane);
            }
        }
        return out;
    }

    @Override
    public void close() {
        manager.close();
    }
}
