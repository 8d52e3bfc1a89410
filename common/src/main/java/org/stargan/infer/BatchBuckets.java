package org.stargan.infer;

import java.util.Arrays;

/**
 * The batch sizes a {@link Translator} runs: a batch is padded up to the smallest bucket that holds it. With cuDNN's
 * autotuning on (GPUs), every new input shape costs a search over convolution algorithms; a serving worker sees any
 * batch size from 1 to its maximum, so without buckets it would keep searching. A few fixed sizes are searched once
 * each. Instance normalisation keeps samples apart, so padding changes no result.
 */
public final class BatchBuckets {
    private final int[] sizes;

    private BatchBuckets(int[] sizes) {
        this.sizes = sizes;
    }

    /** No padding: every batch runs at its own size (the CPU, where padding only costs). */
    public static BatchBuckets none() {
        return new BatchBuckets(new int[0]);
    }

    /** 1, 2, 4, ... up to {@code max}, and {@code max} itself: at most twice the work, log₂(max) + 1 shapes. */
    public static BatchBuckets powersOfTwo(int max) {
        if (max < 1) {
            throw new IllegalArgumentException("max: " + max + ", expected ≥ 1");
        }
        int count = 32 - Integer.numberOfLeadingZeros(max);
        int[] s = new int[count + (Integer.bitCount(max) == 1 ? 0 : 1)];
        for (int i = 0; i < count; i++) {
            s[i] = 1 << i;
        }
        s[s.length - 1] = max;
        return new BatchBuckets(s);
    }

    /** The given sizes (sorted, each ≥ 1). */
    public static BatchBuckets of(int... sizes) {
        int[] s = sizes.clone();
        Arrays.sort(s);
        if (s.length > 0 && s[0] < 1) {
            throw new IllegalArgumentException("batch buckets: " + Arrays.toString(sizes) + ", expected sizes ≥ 1");
        }
        return new BatchBuckets(s);
    }

    /** The size a batch of {@code n} runs at: the smallest bucket ≥ n, or n itself when none is that large. */
    public int sizeFor(int n) {
        for (int s : sizes) {
            if (s >= n) {
                return s;
            }
        }
        return n;
    }

    /** The bucket sizes, ascending (empty: none). */
    public int[] sizes() {
        return sizes.clone();
    }

    @Override
    public String toString() {
        return sizes.length == 0 ? "none" : Arrays.toString(sizes);
    }
}
