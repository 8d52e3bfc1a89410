package org.stargan.nn;

import ai.djl.ndarray.NDArray;
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

    /** Fills {@code target} with U(−bound, bound) drawn from {@code rng}. */
    public static void uniform(NDArray target, double bound, SplittableRandom rng) {
        int n = Math.toIntExact(target.getShape().size());
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = (rng.nextDouble() * 2 - 1) * bound;
        }
        if (target.getDataType() == ai.djl.ndarray.types.DataType.FLOAT64) {
            target.set(v);
        } else {
            float[] f = new float[n];
            for (int i = 0; i < n; i++) {
                f[i] = (float) v[i];
            }
            target.set(f);
        }
    }
}
