package org.stargan.nn;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Gradients of {@link Functional#conv2d} in float32 (libtorch's oneDNN kernels) against float64 (libtorch's own
 * kernels), for the convolutions StarGAN trains whose output channels are not a multiple of oneDNN's channel block:
 * D's {@code conv1} (1 channel) and {@code conv2} (c_dim), G's last layer (3), the gradient penalty's transposed
 * convolutions (4·C phase filters), and small test networks. On an AMD Zen 5 CPU oneDNN 3.7.1 returned input
 * gradients that were wrong (20–100% relative error) or NaN for every one of these shapes until {@code conv2d} padded
 * the output channels; repeated because the NaN form came and went from run to run.
 */
class ConvolutionBackwardTest {
    private static final int REPEATS = 20;

    @ParameterizedTest(name = "N{0} C{1} {2}x{2} -> {3} channels, kernel {4}, stride {5}, padding {6}")
    @CsvSource({
        "2, 32, 2, 1, 3, 1, 1", // D conv1 (D_src) of a small network
        "16, 64, 2, 1, 3, 1, 1", // the same at batch 16
        "2, 32, 2, 5, 2, 1, 0", // D conv2 (D_cls), c_dim 5
        "2, 8, 16, 3, 7, 1, 3", // G's last layer
        "2, 32, 3, 12, 2, 1, 1", // a transposed convolution to 3 channels as 4·3 phase filters
        "2, 3, 16, 8, 4, 2, 1" // D main.0 of a conv_dim 8 network
    })
    void inputAndWeightGradientsEqualTheFloat64Ones(
            int n, int c, int size, int outChannels, int kernel, int stride, int padding) {
        Random random = new Random(n * 1000L + c * 10L + outChannels);
        float[] x = gaussian(random, n * c * size * size);
        float[] w = gaussian(random, outChannels * c * kernel * kernel);
        int outSize = (size + 2 * padding - kernel) / stride + 1;
        float[] upstream = gaussian(random, n * outChannels * outSize * outSize);
        Shape xShape = new Shape(n, c, size, size);
        Shape wShape = new Shape(outChannels, c, kernel, kernel);
        double[][] exact = gradients(DataType.FLOAT64, x, xShape, w, wShape, upstream, stride, padding);
        for (int r = 0; r < REPEATS; r++) {
            double[][] fast = gradients(DataType.FLOAT32, x, xShape, w, wShape, upstream, stride, padding);
            assertThat(relativeError(fast[0], exact[0]))
                    .as("output, repeat %d", r)
                    .isLessThan(1e-5);
            assertThat(relativeError(fast[1], exact[1]))
                    .as("input gradient, repeat %d", r)
                    .isLessThan(1e-5);
            assertThat(relativeError(fast[2], exact[2]))
                    .as("weight gradient, repeat %d", r)
                    .isLessThan(1e-5);
        }
    }

    /** Output, ∂/∂x and ∂/∂w of sum(upstream · conv2d(x, w)), as float64 arrays. */
    private static double[][] gradients(
            DataType type,
            float[] x,
            Shape xShape,
            float[] w,
            Shape wShape,
            float[] upstream,
            int stride,
            int padding) {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray input = m.create(x, xShape).toType(type, false);
            NDArray weight = m.create(w, wShape).toType(type, false);
            input.setRequiresGradient(true);
            weight.setRequiresGradient(true);
            try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                NDArray y = Functional.conv2d(input, weight, null, stride, padding);
                NDArray g = m.create(upstream, y.getShape()).toType(type, false);
                collector.backward(y.mul(g).sum());
                return new double[][] {asDoubles(y), asDoubles(input.getGradient()), asDoubles(weight.getGradient())};
            }
        }
    }

    private static double[] asDoubles(NDArray a) {
        return a.toType(DataType.FLOAT64, false).toDoubleArray();
    }

    /** ‖a − b‖ / ‖b‖; NaN anywhere in {@code a} gives NaN, which no bound accepts. */
    private static double relativeError(double[] a, double[] b) {
        double num = 0;
        double den = 0;
        for (int i = 0; i < a.length; i++) {
            num += (a[i] - b[i]) * (a[i] - b[i]);
            den += b[i] * b[i];
        }
        return Math.sqrt(num / den);
    }

    private static float[] gaussian(Random random, int count) {
        float[] a = new float[count];
        for (int i = 0; i < count; i++) {
            a[i] = (float) random.nextGaussian();
        }
        return a;
    }
}
