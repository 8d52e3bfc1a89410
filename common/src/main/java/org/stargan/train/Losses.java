package org.stargan.train;

import ai.djl.ndarray.NDArray;
import org.stargan.nn.DeviceConstants;

/** StarGAN's loss terms with the official reductions. */
public final class Losses {
    private Losses() {}

    /**
     * Domain classification loss of logits {@code (N, c)} against targets {@code (N, c)} (multi-hot for
     * {@link LabelMode#MULTI_LABEL}, one-hot for {@link LabelMode#SINGLE_LABEL}).
     */
    public static NDArray classification(NDArray logits, NDArray targets, LabelMode mode) {
        long n = logits.getShape().get(0);
        if (mode == LabelMode.MULTI_LABEL) {
            // F.binary_cross_entropy_with_logits(..., reduction='sum') / N, in its stable form
            // max(x, 0) − x·t + log(1 + e^{−|x|}).
            NDArray x = logits;
            NDArray perElement = x.getNDArrayInternal()
                    .relu()
                    .sub(x.mul(targets))
                    .add(x.abs().neg().getNDArrayInternal().softPlus());
            return perElement.sum().div(DeviceConstants.of(x, n));
        }
        // F.cross_entropy: mean over the batch of −log softmax at the target class.
        return logits.logSoftmax(1).mul(targets).sum().neg().div(DeviceConstants.of(logits, n));
    }

    /** The WGAN critic term −mean(D_src) (real images in the D step, fakes in the G step). */
    public static NDArray negMean(NDArray src) {
        return src.mean().neg();
    }

    /** The L1 reconstruction loss mean(|a − b|). */
    public static NDArray l1(NDArray a, NDArray b) {
        return a.sub(b).abs().mean();
    }
}
