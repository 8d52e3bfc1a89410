package org.stargan.nn;

/**
 * Generator hyper-parameters, as in the official {@code Generator(conv_dim, c_dim, repeat_num)}.
 *
 * @param convDim channels of the first layer (official default 64)
 * @param cDim length of the domain label vector c
 * @param repeatNum number of residual blocks (official default 6)
 */
public record GeneratorConfig(int convDim, int cDim, int repeatNum) {
    /** Validates every field. */
    public GeneratorConfig {
        if (convDim < 1) {
            throw new IllegalArgumentException("convDim: " + convDim + ", expected ≥ 1");
        }
        if (cDim < 1) {
            throw new IllegalArgumentException("cDim: " + cDim + ", expected ≥ 1");
        }
        if (repeatNum < 0) {
            throw new IllegalArgumentException("repeatNum: " + repeatNum + ", expected ≥ 0");
        }
    }

    /** The paper's generator for {@code cDim} domains: conv 64, 6 residual blocks. */
    public static GeneratorConfig paper(int cDim) {
        return new GeneratorConfig(64, cDim, 6);
    }
}
