package org.stargan.testing;

import ai.djl.ndarray.NDArray;
import java.util.Map;
import org.stargan.nn.NamedParameters;

/**
 * Deterministic weights and images shared with the Python reference ({@code hashed_uniform} and
 * {@code hashed_init_} in {@code common/python/stargan_torch.py}): the same bits on both sides, so parity fixtures
 * need not carry the 180 MB of paper-size weights.
 */
public final class HashedWeights {
    private HashedWeights() {}

    /** {@code count} values in [−1, 1): the murmur3 finaliser of (index + seed·0x9E3779B9), top 24 bits. */
    public static float[] uniform(int count, long seed, long offset) {
        int s = (int) ((seed * 0x9E3779B9L) & 0xFFFFFFFFL);
        float[] v = new float[count];
        for (int i = 0; i < count; i++) {
            int x = (int) (offset + i) + s;
            x ^= x >>> 16;
            x *= 0x85EBCA6B;
            x ^= x >>> 13;
            x *= 0xC2B2AE35;
            x ^= x >>> 16;
            float u = (x >>> 8) / 16777216f;
            v[i] = u * 2f - 1f;
        }
        return v;
    }

    /**
     * Overwrites every parameter: convolution weights and biases bound·h with PyTorch's bound 1/√fan_in,
     * instance-norm weights 1 + h/4 and biases h/4, one index stream over the tensors in state_dict order.
     */
    public static void apply(NamedParameters parameters, long seed) {
        long offset = 0;
        Map<String, NDArray> map = parameters.asMap();
        for (Map.Entry<String, NDArray> e : map.entrySet()) {
            String key = e.getKey();
            NDArray t = e.getValue();
            int count = Math.toIntExact(t.getShape().size());
            float[] h = uniform(count, seed, offset);
            offset += count;
            NDArray weightOfBias =
                    key.endsWith(".bias") ? map.get(key.substring(0, key.length() - 5) + ".weight") : null;
            float[] v = new float[count];
            if (t.getShape().dimension() == 4
                    || (weightOfBias != null && weightOfBias.getShape().dimension() == 4)) {
                NDArray w = t.getShape().dimension() == 4 ? t : weightOfBias;
                long fanIn =
                        w.getShape().get(1) * w.getShape().get(2) * w.getShape().get(3);
                float bound = (float) (1.0 / Math.sqrt(fanIn));
                for (int i = 0; i < count; i++) {
                    v[i] = bound * h[i];
                }
            } else if (key.endsWith(".weight")) {
                for (int i = 0; i < count; i++) {
                    v[i] = 1f + 0.25f * h[i];
                }
            } else {
                for (int i = 0; i < count; i++) {
                    v[i] = 0.25f * h[i];
                }
            }
            NamedParameters.replaceValues(t, v);
        }
    }
}
