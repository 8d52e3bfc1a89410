package org.stargan.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;

/**
 * The few layer functions StarGAN needs, with PyTorch's semantics, written with the fewest kernels we found.
 *
 * <p>Every result is owned by the manager of the <em>activation</em> operand. DJL puts an op's result into the
 * manager of its first operand; when that operand is a long-lived parameter (a weight reshaped, a norm weight
 * tiled), the result would live as long as the network and memory would grow every step. Such results are moved
 * onto the activation's (per-step) manager with {@link #owned}.
 */
public final class Functional {
    private static final Shape ONE = new Shape(1, 1);

    private Functional() {}

    /** Moves {@code array} to {@code manager} and returns it. */
    public static NDArray owned(NDManager manager, NDArray array) {
        array.attach(manager);
        return array;
    }

    /** {@code torch.nn.functional.conv2d} with square stride and padding; {@code bias} may be null. */
    public static NDArray conv2d(NDArray x, NDArray weight, NDArray bias, int stride, int padding) {
        return x.getNDArrayInternal()
                .convolution(x, weight, bias, new Shape(stride, stride), new Shape(padding, padding), ONE, 1)
                .singletonOrThrow();
    }

    /**
     * {@code InstanceNorm2d(affine=True)} with instance statistics (eps 1e-5, biased variance): one fused
     * batch-norm call on the (1, N·C, H, W) view, whose per-channel statistics are exactly the per-instance ones.
     */
    public static NDArray instanceNorm(NDArray x, NDArray weight, NDArray bias) {
        Shape s = x.getShape();
        long n = s.get(0);
        long nc = n * s.get(1);
        NDManager m = x.getManager();
        NDArray view = x.reshape(1, nc, s.get(2), s.get(3));
        NDArray gamma = n == 1 ? weight : owned(m, weight.tile(n));
        NDArray beta = n == 1 ? bias : owned(m, bias.tile(n));
        // batch_norm in training mode needs running-stat tensors to write into; momentum 0 leaves them unused.
        NDArray runningMean = m.zeros(new Shape(nc), x.getDataType(), x.getDevice());
        NDArray runningVar = m.ones(new Shape(nc), x.getDataType(), x.getDevice());
        NDArray y = view.getNDArrayInternal()
                .batchNorm(view, runningMean, runningVar, gamma, beta, -1, 1f, 1e-5f, true)
                .singletonOrThrow();
        return y.reshape(s);
    }

    /**
     * {@code conv_transpose2d(x, weight, stride=2, padding=1)} for a 4×4 kernel laid out [C_in, C_out, 4, 4].
     *
     * <p>DJL's deconvolution is not implemented on the PyTorch engine, so the transposed convolution is done by
     * phase decomposition: each output pixel (2m+a, 2n+b) sees a 2×2 window of the input through the kernel taps
     * of its phase (a, b). One stride-1 2×2 convolution with 4·C_out filters (all four phases at once) on the
     * padded input computes every phase on an (H+1)×(W+1) grid; interleaving the phases gives a (2H+2)×(2W+2)
     * image whose interior is the result. The arithmetic is that of the transposed convolution, with no zeros
     * inserted (zero insertion would cost four times the multiply-adds).
     */
    public static NDArray convTranspose4x4s2(NDArray x, NDArray weight) {
        Shape ws = weight.getShape();
        long cin = ws.get(0);
        long cout = ws.get(1);
        if (ws.dimension() != 4 || ws.get(2) != 4 || ws.get(3) != 4) {
            throw new IllegalArgumentException("convTranspose4x4s2: weight shape " + ws + ", expected [C_in, C_out, 4, 4]");
        }
        NDManager m = x.getManager();
        // Tap k = 2·(1−t) + s, where t is the tap's place in the 2×2 window and s = 1 − a picks the phase.
        NDArray phaseKernels = owned(m, weight.reshape(cin, cout, 2, 2, 2, 2))
                .flip(2, 4)
                .transpose(3, 5, 1, 0, 2, 4)
                .reshape(4 * cout, cin, 2, 2);
        NDArray phases = conv2d(x, phaseKernels, null, 1, 1);
        Shape xs = x.getShape();
        long n = xs.get(0);
        long h = xs.get(2);
        long w = xs.get(3);
        NDArray interleaved = phases.reshape(n, 2, 2, cout, h + 1, w + 1)
                .transpose(0, 3, 4, 1, 5, 2)
                .reshape(n, cout, 2 * h + 2, 2 * w + 2);
        return interleaved.get(new NDIndex(":, :, 1:{}, 1:{}", 2 * h + 1, 2 * w + 1));
    }

    /**
     * The gradient of {@code sum(g · conv2d(x, weight, stride=1, padding=1))} with respect to {@code x} for a
     * 3×3 kernel: a convolution of {@code g} with the kernel flipped and its channel axes swapped.
     */
    public static NDArray conv3x3InputGradient(NDArray g, NDArray weight) {
        NDArray flipped = owned(g.getManager(), weight.transpose(1, 0, 2, 3)).flip(2, 3);
        return conv2d(g, flipped, null, 1, 1);
    }

    /** {@code leaky_relu(x, slope)}. */
    public static NDArray leakyRelu(NDArray x, float slope) {
        return x.getNDArrayInternal().leakyRelu(slope);
    }

    /** {@code relu(x)}. */
    public static NDArray relu(NDArray x) {
        return x.getNDArrayInternal().relu();
    }
}
