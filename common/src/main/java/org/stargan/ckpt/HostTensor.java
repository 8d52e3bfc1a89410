package org.stargan.ckpt;

import java.util.Arrays;

/**
 * A float32 tensor in Java memory, C order: the unit checkpoints are read into and written from, independent of any
 * device or engine.
 *
 * @param shape dimensions
 * @param values elements in row-major order
 */
public record HostTensor(long[] shape, float[] values) {
    /** Checks that the element count matches the shape. */
    public HostTensor {
        long n = 1;
        for (long d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException("negative dimension in shape " + Arrays.toString(shape));
            }
            n *= d;
        }
        if (n != values.length) {
            throw new IllegalArgumentException(
                    "shape " + Arrays.toString(shape) + " needs " + n + " values, got " + values.length);
        }
    }

    /** The shape as PyTorch prints it, e.g. {@code [64, 8, 7, 7]}. */
    public String shapeText() {
        return Arrays.toString(shape);
    }
}
