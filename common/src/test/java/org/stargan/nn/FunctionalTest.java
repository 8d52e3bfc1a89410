package org.stargan.nn;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.stargan.testing.Garbage;

/** The hand-built layers against direct loops over their definitions, in float64; constants that autograd keeps. */
class FunctionalTest {

    @Test
    void aConstantClosedBeforeTheBackwardSurvivesAGarbageCollection() throws Exception {
        // As DJL's mul(Number) does: the constant is closed right after the op. With the constant's memory in a Java
        // direct buffer, the backward read freed memory here (the gradient came out 0, not 2.5).
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = m.create(new float[] {1, -2, 3}, new Shape(3)).duplicate();
            x.setRequiresGradient(true);
            try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                NDArray y;
                try (NDArray factor = Functional.constant(m, 2.5)) {
                    y = x.mul(factor).sum();
                }
                Garbage.collect();
                collector.backward(y);
            }
            try (NDArray g = x.getGradient()) {
                assertThat(g.toFloatArray()).containsExactly(2.5f, 2.5f, 2.5f);
            }
        }
    }

    @Test
    void transposedConvolutionEqualsTheDefinitionInBothFormulations() {
        int n = 2, cin = 3, cout = 5, h = 4, w = 6;
        double[] x = random(n * cin * h * w, 1);
        double[] k = random(cin * cout * 16, 2);
        double[] expected = new double[n * cout * 2 * h * 2 * w];
        int oh = 2 * h, ow = 2 * w;
        // out[o] += x[i]·k[o − (2i − 1)]: each input pixel scatters its 4×4 kernel, stride 2, padding 1.
        for (int b = 0; b < n; b++) {
            for (int ci = 0; ci < cin; ci++) {
                for (int co = 0; co < cout; co++) {
                    for (int i = 0; i < h; i++) {
                        for (int j = 0; j < w; j++) {
                            for (int ky = 0; ky < 4; ky++) {
                                for (int kx = 0; kx < 4; kx++) {
                                    int oy = 2 * i - 1 + ky, ox = 2 * j - 1 + kx;
                                    if (oy < 0 || oy >= oh || ox < 0 || ox >= ow) {
                                        continue;
                                    }
                                    expected[((b * cout + co) * oh + oy) * ow + ox] +=
                                            x[((b * cin + ci) * h + i) * w + j]
                                                    * k[((ci * cout + co) * 4 + ky) * 4 + kx];
                                }
                            }
                        }
                    }
                }
            }
        }
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray input = m.create(x, new Shape(n, cin, h, w));
            NDArray kernel = m.create(k, new Shape(cin, cout, 4, 4));
            for (NDArray y : new NDArray[] {
                Functional.convTransposeByPhases(input, kernel),
                Functional.convTransposeByMatmul(input, kernel),
                Functional.convTranspose4x4s2(input, kernel)
            }) {
                assertThat(y.getShape()).isEqualTo(new Shape(n, cout, oh, ow));
                assertThat(maxAbsDiff(y.toDoubleArray(), expected)).isLessThan(1e-12);
            }
        }
    }

    @Test
    void instanceNormUsesPerSampleStatisticsAndTheAffineParameters() {
        int n = 3, c = 2, hw = 25;
        double[] x = random(n * c * hw, 3);
        double[] gamma = {1.5, -0.5};
        double[] beta = {0.25, 2};
        double[] expected = new double[x.length];
        for (int b = 0; b < n; b++) {
            for (int ch = 0; ch < c; ch++) {
                int off = (b * c + ch) * hw;
                double mean = 0, var = 0;
                for (int i = 0; i < hw; i++) {
                    mean += x[off + i];
                }
                mean /= hw;
                for (int i = 0; i < hw; i++) {
                    var += (x[off + i] - mean) * (x[off + i] - mean);
                }
                var /= hw;
                for (int i = 0; i < hw; i++) {
                    expected[off + i] = (x[off + i] - mean) / Math.sqrt(var + 1e-5) * gamma[ch] + beta[ch];
                }
            }
        }
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray y = Functional.instanceNorm(m.create(x, new Shape(n, c, 5, 5)), m.create(gamma), m.create(beta));
            assertThat(y.getDataType()).isEqualTo(DataType.FLOAT64);
            assertThat(maxAbsDiff(y.toDoubleArray(), expected)).isLessThan(1e-12);
        }
    }

    private static double[] random(int size, long seed) {
        Random r = new Random(seed);
        double[] v = new double[size];
        for (int i = 0; i < size; i++) {
            v[i] = r.nextGaussian();
        }
        return v;
    }

    private static double maxAbsDiff(double[] a, double[] b) {
        double d = 0;
        for (int i = 0; i < a.length; i++) {
            d = Math.max(d, Math.abs(a[i] - b[i]));
        }
        return d;
    }
}
