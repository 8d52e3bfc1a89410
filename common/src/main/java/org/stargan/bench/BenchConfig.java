package org.stargan.bench;

import org.stargan.train.TrainConfig;

/** The two network sizes the benchmarks use, shared with the Python reference ({@code bench_reference.py}). */
public enum BenchConfig {
    /** 32 px, conv 16, G repeat 2, D repeat 5, c_dim 5. */
    SMALL(32, 16, 2, 5),
    /** The paper's: 128 px, conv 64, repeat 6, c_dim 5. */
    PAPER(128, 64, 6, 6);

    /** Image side. */
    public final int imageSize;
    /** First-layer channels of both networks. */
    public final int convDim;
    /** Generator residual blocks. */
    public final int gRepeat;
    /** Discriminator stride-2 layers. */
    public final int dRepeat;

    BenchConfig(int imageSize, int convDim, int gRepeat, int dRepeat) {
        this.imageSize = imageSize;
        this.convDim = convDim;
        this.gRepeat = gRepeat;
        this.dRepeat = dRepeat;
    }

    /** Parses {@code small} or {@code paper}. */
    public static BenchConfig parse(String value) {
        for (BenchConfig c : values()) {
            if (c.name().equalsIgnoreCase(value)) {
                return c;
            }
        }
        throw new IllegalArgumentException("--config: '" + value + "', expected small or paper");
    }

    /** The training configuration at this size: official losses and optimiser, c_dim 5, CelebA-style labels. */
    public TrainConfig trainConfig(int batch) {
        return TrainConfig.official()
                .withNetworks(imageSize, convDim, convDim, gRepeat, dRepeat)
                .withBatchSize(batch);
    }

    /** Lower-case name as used on the command line. */
    public String cliName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
