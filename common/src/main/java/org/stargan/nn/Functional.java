package org.stargan.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;

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

    /**
     * A 0-dim tensor holding {@code value}, for a constant that autograd keeps until the backward pass (a loss weight,
     * a divisor): multiply or divide by this instead of by a Java number. DJL's {@code mul(Number)} and
     * {@code div(Number)} wrap the number in a tensor over a Java direct buffer and close it after the op, while autograd
     * keeps that tensor for the backward; a garbage collection in between frees the buffer, and the backward then reads
     * freed memory (a wrong gradient, or NaN, whenever a collection happens to fall inside a training step). The copy
     * made here lives in memory that libtorch owns and frees only when autograd no longer needs it, however early the
     * returned array is closed.
     */
    public static NDArray constant(NDManager manager, Number value) {
        try (NDArray staged = manager.create(value)) {
            return staged.duplicate();
        }
    }

    /**
     * Output channels are padded to a multiple of this when a convolution's input gradient will be computed (see
     * {@link #conv2d}): the channel block of oneDNN's AVX-512 kernels (AVX2 kernels use 8, which divides it).
     */
    static final int CHANNEL_BLOCK = 16;

    /**
     * {@code torch.nn.functional.conv2d} with square stride and padding; {@code bias} may be null.
     *
     * <p>While autograd records (a backward pass may follow) and the input or output channels are not a multiple of
     * {@link #CHANNEL_BLOCK}, the input and the weight get zero channels up to the next multiple, the weight zero filters
     * likewise, and the extra output channels are sliced off. The result is the same, and every tensor oneDNN then
     * lays out in channel blocks fills them whole. Without this, oneDNN 3.7.1 (libtorch 2.7.1) on two or more threads
     * sometimes leaves a block's padding uninitialised; padding that happens to hold NaN bit patterns turns results into
     * NaN (0·NaN). Seen on an AMD Zen 5 (EPYC, family 26): in about 1 of 100 backward passes of a 1-, 3- or 5-channel
     * convolution ({@code ConvolutionBackwardTest} repeats one), and, with only output channels padded, in most short
     * training runs after the first few in one JVM, through the gradient penalty's double backward of the 3-channel
     * first layer (a repeated joint-training run: 2 of 40 finite without the input padding, 20 of 20 with it; README,
     * Exactness, for what remains). Inference (no autograd) is not padded.
     */
    public static NDArray conv2d(NDArray x, NDArray weight, NDArray bias, int stride, int padding) {
        Shape ws = weight.getShape();
        long outChannels = ws.get(0);
        long missing = (CHANNEL_BLOCK - outChannels % CHANNEL_BLOCK) % CHANNEL_BLOCK;
        long inChannels = ws.get(1);
        long missingIn = (CHANNEL_BLOCK - inChannels % CHANNEL_BLOCK) % CHANNEL_BLOCK;
        if ((missing == 0 && missingIn == 0) || !JniUtils.isGradMode()) {
            return plainConv2d(x, weight, bias, stride, padding);
        }
        NDManager m = x.getManager();
        NDArray in = zeroPadded(m, x, 1, missingIn);
        NDArray w = zeroPadded(m, zeroPadded(m, weight, 1, missingIn), 0, missing);
        NDArray paddedBias = bias == null ? null : zeroPadded(m, bias, 0, missing);
        if (missing == 0) {
            return plainConv2d(in, w, paddedBias, stride, padding);
        }
        return plainConv2d(in, w, paddedBias, stride, padding).get(new NDIndex(":, 0:{}", outChannels));
    }

    /** {@code t} with {@code count} zero slices appended along {@code dim}, owned by {@code m}; {@code t} when 0. */
    private static NDArray zeroPadded(NDManager m, NDArray t, int dim, long count) {
        if (count == 0) {
            return t;
        }
        long[] shape = t.getShape().getShape().clone(); // a copy: DJL hands out the shape's own array
        shape[dim] = count;
        return owned(m, t.concat(m.zeros(new Shape(shape), t.getDataType(), t.getDevice()), dim));
    }

    private static NDArray plainConv2d(NDArray x, NDArray weight, NDArray bias, int stride, int padding) {
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
     * {@code conv_transpose2d(x, weight, stride=2, padding=1)} for a 4×4 kernel laid out [C_in, C_out, 4, 4]
     * (DJL's deconvolution is not implemented on the PyTorch engine).
     *
     * <p>Two exact formulations, chosen by which side is bigger. Reordering the weight into phase kernels costs
     * passes over the weight; the matrix-product form costs passes over four output-sized tensors instead. When the
     * input has fewer pixels than channels (the discriminator's deep layers inside the gradient penalty, whose weights
     * reach 134 MB at the paper size) the matrix product wins; when pixels dominate (the generator's upsampling) the
     * phase decomposition does.
     */
    public static NDArray convTranspose4x4s2(NDArray x, NDArray weight) {
        Shape ws = weight.getShape();
        if (ws.dimension() != 4 || ws.get(2) != 4 || ws.get(3) != 4) {
            throw new IllegalArgumentException(
                    "convTranspose4x4s2: weight shape " + ws + ", expected [C_in, C_out, 4, 4]");
        }
        Shape xs = x.getShape();
        if (xs.dimension() != 4 || xs.get(1) != ws.get(0)) {
            throw new IllegalArgumentException(
                    "convTranspose4x4s2: input shape " + xs + ", expected (N, " + ws.get(0) + ", H, W)");
        }
        long pixels = xs.get(0) * xs.get(2) * xs.get(3);
        return pixels >= ws.get(0) ? convTransposeByPhases(x, weight) : convTransposeByMatmul(x, weight);
    }

    /**
     * The transposed convolution by phase decomposition: each output pixel (2m+a, 2n+b) sees a 2×2 window of the
     * input through the kernel taps of its phase (a, b). One stride-1 2×2 convolution with 4·C_out filters (all four
     * phases at once) on the padded input computes every phase on an (H+1)×(W+1) grid; interleaving the phases gives
     * a (2H+2)×(2W+2) image whose interior is the result. No zeros are inserted (that would cost four times the
     * multiply-adds).
     */
    static NDArray convTransposeByPhases(NDArray x, NDArray weight) {
        long cin = weight.getShape().get(0);
        long cout = weight.getShape().get(1);
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
     * The transposed convolution as one matrix product and a col2im: every input pixel's contribution to its 4×4
     * output neighbourhood is x(pixel)·W, i.e. cols = x[N·H·W, C_in] × W[C_in, C_out·16]; the contributions are then
     * summed into place. The weight enters the product in its stored layout, so no weight-sized tensor is copied,
     * forward or backward; the col2im moves four output-sized tensors instead.
     *
     * <p>col2im: output row o receives input row i through kernel row k when o = 2i − 1 + k. Writing k = 2k_h + k_l,
     * the padded row O = o + 1 = 2(i + k_h) + k_l, so the rows of the k_h = 0 half land unshifted and those of the
     * k_h = 1 half one row down: two padded slices and one sum per spatial axis, then an interleave of k_l.
     */
    static NDArray convTransposeByMatmul(NDArray x, NDArray weight) {
        long cin = weight.getShape().get(0);
        long cout = weight.getShape().get(1);
        Shape xs = x.getShape();
        long n = xs.get(0);
        long h = xs.get(2);
        long w = xs.get(3);
        NDManager m = x.getManager();
        NDArray pixels = x.transpose(0, 2, 3, 1).reshape(n * h * w, cin);
        NDArray cols = pixels.matMul(owned(m, weight.reshape(cin, cout * 16)))
                .reshape(n, h, w, cout, 2, 2, 2, 2); // (N, H, W, C_out, kh_row, kl_row, kh_col, kl_col)
        // Rows: (N, H+1, W, C_out, kl_row, kh_col, kl_col).
        NDArray rows = cols.get(new NDIndex(":, :, :, :, 0"))
                .pad(new Shape(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1), 0)
                .add(cols.get(new NDIndex(":, :, :, :, 1")).pad(new Shape(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0), 0));
        // Columns: (N, H+1, W+1, C_out, kl_row, kl_col).
        NDArray full = rows.get(new NDIndex(":, :, :, :, :, 0"))
                .pad(new Shape(0, 0, 0, 0, 0, 0, 0, 1), 0)
                .add(rows.get(new NDIndex(":, :, :, :, :, 1")).pad(new Shape(0, 0, 0, 0, 0, 0, 1, 0), 0));
        return full.transpose(0, 3, 1, 4, 2, 5)
                .reshape(n, cout, 2 * h + 2, 2 * w + 2)
                .get(new NDIndex(":, :, 1:{}, 1:{}", 2 * h + 1, 2 * w + 1));
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
