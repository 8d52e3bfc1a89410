package org.stargan.nn;

/**
 * Discriminator hyper-parameters, as in the official {@code Discriminator(image_size, conv_dim, c_dim, repeat_num)}.
 *
 * @param imageSize side of the square input; must be divisible by 2^repeatNum (the classifier's kernel is
 *     imageSize / 2^repeatNum)
 * @param convDim channels of the first layer (official default 64)
 * @param cDim number of domain outputs
 * @param repeatNum number of stride-2 convolutions (official default 6)
 */
public record DiscriminatorConfig(int imageSize, int convDim, int cDim, int repeatNum) {
    /** Validates every field. */
    public DiscriminatorConfig {
        if (repeatNum < 1 || repeatNum > 12) {
            throw new IllegalArgumentException("repeatNum: " + repeatNum + ", expected 1..12");
        }
        if (imageSize < 2 || imageSize % (1 << repeatNum) != 0) {
            throw new IllegalArgumentException(
                    "imageSize: " + imageSize + ", expected a multiple of 2^repeatNum = " + (1 << repeatNum));
        }
        if (convDim < 1) {
            throw new IllegalArgumentException("convDim: " + convDim + ", expected ≥ 1");
        }
        if (cDim < 1) {
            throw new IllegalArgumentException("cDim: " + cDim + ", expected ≥ 1");
        }
    }

    /** Side of the classification kernel, {@code imageSize / 2^repeatNum}. */
    public int classifierKernel() {
        return imageSize >> repeatNum;
    }

    /** The paper's discriminator: conv 64, 6 stride-2 layers. */
    public static DiscriminatorConfig paper(int imageSize, int cDim) {
        return new DiscriminatorConfig(imageSize, 64, cDim, 6);
    }
}
