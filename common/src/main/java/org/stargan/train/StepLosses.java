package org.stargan.train;

/**
 * The seven losses of one iteration under the official names ({@code D/loss_real}, ...), and the optional identity
 * term. The G terms are NaN in iterations without a G update; {@code gId} is NaN too when λ_id is 0.
 *
 * @param dReal D/loss_real = −mean(D_src(x_real))
 * @param dFake D/loss_fake = mean(D_src(G(x_real, c_trg)))
 * @param dCls D/loss_cls on real images and their labels
 * @param dGp D/loss_gp, the gradient penalty
 * @param gFake G/loss_fake = −mean(D_src(x_fake))
 * @param gRec G/loss_rec = mean|x_real − G(x_fake, c_org)|
 * @param gCls G/loss_cls on fakes and their target labels
 * @param gId G/loss_id = mean|x_real − G(x_real, c_org)| (not an official term; computed only when λ_id &gt; 0)
 * @param dLr discriminator learning rate used
 * @param gLr generator learning rate used
 */
public record StepLosses(
        double dReal,
        double dFake,
        double dCls,
        double dGp,
        double gFake,
        double gRec,
        double gCls,
        double gId,
        double dLr,
        double gLr) {

    /** Whether this iteration updated G. */
    public boolean hasGeneratorStep() {
        return !Double.isNaN(gFake);
    }

    /** Whether this iteration computed the identity term. */
    public boolean hasIdentityTerm() {
        return !Double.isNaN(gId);
    }
}
