package org.stargan.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import org.junit.jupiter.api.Test;
import org.stargan.testing.Garbage;

/** The classification loss's gradient is exact even when the garbage collector runs between forward and backward. */
class LossesTest {
    private static final double[] LOGITS = {0.5, -1.25, 2.0, -0.75, 1.5, 0.25};
    private static final double[] MULTI_HOT = {1, 0, 1, 0, 0, 1};
    private static final double[] ONE_HOT = {0, 0, 1, 1, 0, 0};

    @Test
    void multiLabelGradientIsSigmoidMinusTargetOverBatch() throws Exception {
        double[] expected = new double[LOGITS.length];
        for (int i = 0; i < LOGITS.length; i++) {
            expected[i] = (1 / (1 + Math.exp(-LOGITS[i])) - MULTI_HOT[i]) / 2;
        }
        assertThat(gradientAfterACollection(MULTI_HOT, LabelMode.MULTI_LABEL)).containsExactly(expected, within(1e-12));
    }

    @Test
    void singleLabelGradientIsSoftmaxMinusTargetOverBatch() throws Exception {
        double[] expected = new double[LOGITS.length];
        for (int row = 0; row < 2; row++) {
            double sum = 0;
            for (int k = 0; k < 3; k++) {
                sum += Math.exp(LOGITS[row * 3 + k]);
            }
            for (int k = 0; k < 3; k++) {
                expected[row * 3 + k] = (Math.exp(LOGITS[row * 3 + k]) / sum - ONE_HOT[row * 3 + k]) / 2;
            }
        }
        assertThat(gradientAfterACollection(ONE_HOT, LabelMode.SINGLE_LABEL)).containsExactly(expected, within(1e-12));
    }

    /** ∂loss/∂logits for a batch of 2 × 3 logits, with a garbage collection between the loss and its backward. */
    private static double[] gradientAfterACollection(double[] targets, LabelMode mode) throws Exception {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray logits = m.create(LOGITS, new Shape(2, 3)).duplicate();
            logits.setRequiresGradient(true);
            try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                NDArray loss = Losses.classification(logits, m.create(targets, new Shape(2, 3)), mode);
                Garbage.collect();
                collector.backward(loss);
            }
            try (NDArray g = logits.getGradient()) {
                return g.toDoubleArray();
            }
        }
    }
}
