package org.stargan.train;

import ai.djl.ndarray.NDArray;
import org.stargan.nn.DeviceConstants;
import org.stargan.nn.Discriminator;

/**
 * The WGAN-GP term mean((‖∇_x̂ D_src(x̂)‖₂ − 1)²) with the per-sample L2 norm over all pixels and channels,
 * as the official {@code gradient_penalty}.
 *
 * <p>Its parameter gradient is exact and leak-free: ∇_x̂ D_src is built by {@link Discriminator#srcInputGradient}
 * from first-order operations, so the ordinary backward of the D loss differentiates through it.
 */
public final class GradientPenalty {
    private GradientPenalty() {}

    /** x̂ = α·x_real + (1−α)·x_fake with α of shape (N, 1, 1, 1). */
    public static NDArray interpolate(NDArray real, NDArray fake, NDArray alpha) {
        return real.mul(alpha).add(fake.mul(alpha.neg().add(DeviceConstants.of(alpha, 1))));
    }

    /** The penalty at {@code xHat}. */
    public static NDArray of(Discriminator d, NDArray xHat) {
        NDArray grad = d.srcInputGradient(xHat);
        long n = grad.getShape().get(0);
        NDArray norms = grad.reshape(n, -1).square().sum(new int[] {1}).sqrt();
        return norms.sub(DeviceConstants.of(norms, 1)).square().mean();
    }
}
