package org.stargan.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.SplittableRandom;

/**
 * PyTorch's default initialisation of the layers StarGAN uses (DJL's default, Xavier, differs).
 *
 * <p>{@code Conv2d}/{@code ConvTranspose2d} weights: {@code kaiming_uniform_(a=√5)}, i.e. U(−1/√fan_in, 1/√fan_in)
 * with fan_in = {@code weight.size(1)·k·k} (for a transposed convolution that is C_out·k·k: PyTorch computes the fan
 * from the stored layout). Biases: U(−1/√fan_in, 1/√fan_in) with the same fan_in. InstanceNorm affine: weight 1,
 * bias 0. Values come from a seeded generator, so a seed reproduces a network.
 */
public final class TorchInit {
    private TorchInit() {}

    /** The uniform bound PyTorch uses for a convolution weight (or its bias) of this stored shape. */
    public static double bound(Shape weightShape) {
        long fanIn = weightShape.get(1) * weightShape.get(2) * weightShape.get(3);
        return 1.0 / Math.sqrt(fanIn);
    }

    /** A new tensor of {@code shape} filled with U(−bound, bound) drawn from {@code rng}. */
    public static NDArray uniform(NDManager manager, Shape shape, DataType dtype, double bound, SplittableRandom rng) {
        int n = Math.toIntExact(shape.size());
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = (rng.nextDouble() * 2 - 1) * bound;
        }
        return create(manager, v, shape, dtype);
    }

    /**
     * A new tensor holding {@code values}. Tensors are created from their data rather than filled afterwards:
     * DJL's in-place {@code set} goes through a deprecated libtorch guard that prints a warning on every process.
     */
    public static NDArray create(NDManager manager, double[] values, Shape shape, DataType dtype) {
        if (dtype == DataType.FLOAT64) {
            return manager.create(values, shape);
        }
        float[] f = new float[values.length];
        for (int i = 0; i < f.length; i++) {
            f[i] = (float) values[i];
        }
        NDArray a = manager.create(f, shape);
        return dtype == DataType.FLOAT32 ? a : a.toType(dtype, false);
    }
}
