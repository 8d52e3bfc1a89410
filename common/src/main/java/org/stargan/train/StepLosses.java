package org.stargan.train;

/**
 * The seven losses of one iteration under the official names ({@code D/loss_real}, ...). The G terms are NaN in
 * iterations without a G update.
 *
 * @param dReal D/loss_real = −mean(D_src(x_real))
 * @param dFake D/loss_fake = mean(D_src(G(x_real, c_trg)))
 * @param dCls D/loss_cls on real images and their labels
 * @param dGp D/loss_gp, the gradient penalty
 * @param gFake G/loss_fake = −mean(D_src(x_fake))
 * @param gRec G/loss_rec = mean|x_real − G(x_fake, c_org)|
 * @param gCls G/loss_cls on fakes and their target labels
 * @param dLr discriminator learning rate used
 * @param gLr generator learning rate used
 */
public record StepLosses(
        double dReal, double dFake, double dCls, double dGp, double gFake, double gRec, double gCls, double dLr, double gLr) {

    /** Whether this iteration updated G. */
    public boolean hasGeneratorStep() {
        return !Double.isNaN(gFake);
    }
}
