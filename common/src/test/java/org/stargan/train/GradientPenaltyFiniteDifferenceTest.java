package org.stargan.train;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.stargan.nn.Discriminator;
import org.stargan.nn.DiscriminatorConfig;
import org.stargan.nn.GradMode;

/**
 * ∂GP/∂θ from the explicit input-gradient route against central finite differences of GP(θ) in float64, for every
 * parameter of a small discriminator (all weights, biases, both heads).
 */
class GradientPenaltyFiniteDifferenceTest {

    @Test
    void gradientPenaltyParameterGradientEqualsFiniteDifferences() {
        try (NDManager m = NDManager.newBaseManager();
                Discriminator d = new Discriminator(new DiscriminatorConfig(16, 3, 2, 3), m, DataType.FLOAT64, 42)) {
            NDArray xHat = m.randomUniform(-1, 1, new Shape(3, 3, 16, 16), DataType.FLOAT64);
            d.parameters().setRequiresGradient(true);
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                gc.backward(GradientPenalty.of(d, xHat));
            }
            double h = 1e-6;
            double diffSq = 0;
            double normSq = 0;
            for (Map.Entry<String, NDArray> e : d.parameters().asMap().entrySet()) {
                NDArray p = e.getValue();
                double[] analytic;
                try (NDArray g = p.getGradient()) {
                    // A tensor outside the penalty's graph has no gradient; DJL then returns float32 zeros.
                    analytic = g.toType(DataType.FLOAT64, false).toDoubleArray();
                }
                double[] values = p.toDoubleArray();
                double[] numeric = new double[values.length];
                for (int i = 0; i < values.length; i++) {
                    double saved = values[i];
                    values[i] = saved + h;
                    p.set(values);
                    double plus = penalty(d, xHat);
                    values[i] = saved - h;
                    p.set(values);
                    double minus = penalty(d, xHat);
                    values[i] = saved;
                    p.set(values);
                    numeric[i] = (plus - minus) / (2 * h);
                }
                double tensorDiff = 0;
                double tensorNorm = 0;
                for (int i = 0; i < values.length; i++) {
                    tensorDiff += (analytic[i] - numeric[i]) * (analytic[i] - numeric[i]);
                    tensorNorm += numeric[i] * numeric[i];
                }
                if (e.getKey().endsWith(".bias") || e.getKey().equals("conv2.weight")) {
                    // GP depends on biases only through the leaky-ReLU slopes, which are piecewise constant, and not
                    // at all on the classification head.
                    assertThat(Math.sqrt(tensorNorm))
                            .as("FD gradient of %s", e.getKey())
                            .isLessThan(1e-8);
                    assertThat(Math.sqrt(tensorDiff))
                            .as("gradient of %s", e.getKey())
                            .isLessThan(1e-8);
                } else {
                    assertThat(tensorNorm).as("FD gradient of %s", e.getKey()).isGreaterThan(0);
                    assertThat(Math.sqrt(tensorDiff / tensorNorm))
                            .as("relative error of ∂GP/∂%s", e.getKey())
                            .isLessThan(1e-5);
                }
                diffSq += tensorDiff;
                normSq += tensorNorm;
            }
            assertThat(Math.sqrt(diffSq / normSq))
                    .as("relative error over all parameters")
                    .isLessThan(1e-5);
        }
    }

    private static double penalty(Discriminator d, NDArray xHat) {
        try (NDManager scope = xHat.getManager().newSubManager();
                GradMode ignored = GradMode.off()) {
            NDArray x = xHat.duplicate();
            x.attach(scope);
            return GradientPenalty.of(d, x).getDouble();
        }
    }
}
