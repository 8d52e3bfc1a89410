package org.stargan.train;

import java.util.SplittableRandom;

/**
 * The random draws of one training iteration: the permutation that turns the batch's labels into target labels
 * ({@code torch.randperm}) and the gradient-penalty mixing weights α ~ U(0, 1) per sample.
 *
 * @param permutation target label of sample i is the original label of sample {@code permutation[i]}
 * @param alpha one mixing weight per sample
 */
public record IterationNoise(int[] permutation, float[] alpha) {
    /** Validates that the permutation is one and the lengths agree. */
    public IterationNoise {
        if (permutation.length != alpha.length) {
            throw new IllegalArgumentException(
                    "permutation has " + permutation.length + " entries, alpha " + alpha.length);
        }
        boolean[] seen = new boolean[permutation.length];
        for (int p : permutation) {
            if (p < 0 || p >= permutation.length || seen[p]) {
                throw new IllegalArgumentException("permutation: " + java.util.Arrays.toString(permutation)
                        + " is not a permutation of 0.." + (permutation.length - 1));
            }
            seen[p] = true;
        }
    }

    /**
     * The draws for {@code iteration} of a run seeded with {@code seed}. Each iteration has its own stream, so a run
     * resumed at iteration k draws exactly what the uninterrupted run drew.
     */
    public static IterationNoise draw(long seed, long iteration, int batchSize) {
        SplittableRandom rng = new SplittableRandom(seed).split();
        rng = new SplittableRandom(rng.nextLong() ^ (0x9E3779B97F4A7C15L * (iteration + 1)));
        int[] perm = new int[batchSize];
        for (int i = 0; i < batchSize; i++) {
            perm[i] = i;
        }
        for (int i = batchSize - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int t = perm[i];
            perm[i] = perm[j];
            perm[j] = t;
        }
        float[] alpha = new float[batchSize];
        for (int i = 0; i < batchSize; i++) {
            alpha[i] = (float) rng.nextDouble();
        }
        return new IterationNoise(perm, alpha);
    }
}
