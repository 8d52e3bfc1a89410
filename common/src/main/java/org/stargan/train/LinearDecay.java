package org.stargan.train;

/**
 * The official learning-rate schedule: after iteration i (0-based), if {@code (i+1) % lrUpdateStep == 0} and
 * {@code (i+1) > numIters − numItersDecay}, the rate drops by {@code initial / numItersDecay}.
 *
 * <p>This is the official code's rule, kept exactly: the drop is per update step, not per iteration, so with the
 * defaults (decay over 100k iterations, a step every 1000) the rate ends at 0.999·initial, not near zero; with
 * {@code lrUpdateStep = 1} it falls linearly to initial/numItersDecay in the last iteration.
 */
public final class LinearDecay {
    private LinearDecay() {}

    /**
     * The learning rate in force during iteration {@code iteration} (0-based), reproducing the official repeated
     * float subtraction so the values match to the last bit.
     */
    public static double rateAt(double initial, long iteration, long numIters, long numItersDecay, long lrUpdateStep) {
        double lr = initial;
        if (numItersDecay <= 0) {
            return lr;
        }
        long first = Math.max(lrUpdateStep, ((numIters - numItersDecay) / lrUpdateStep + 1) * lrUpdateStep);
        for (long j = first; j <= iteration; j += lrUpdateStep) {
            if (j > numIters - numItersDecay) {
                lr -= initial / numItersDecay;
            }
        }
        return lr;
    }
}
