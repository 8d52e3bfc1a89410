package org.stargan.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class ScheduleAndNoiseTest {

    @Test
    void learningRateFollowsTheOfficialDecay() {
        // Official defaults: 200k iterations, decay over the last 100k, a step every 1000 iterations. The official
        // code subtracts lr/num_iters_decay per step, so 100 steps take 1e-4 only to 0.999e-4.
        assertThat(LinearDecay.rateAt(1e-4, 0, 200_000, 100_000, 1000)).isEqualTo(1e-4);
        assertThat(LinearDecay.rateAt(1e-4, 100_000, 200_000, 100_000, 1000)).isEqualTo(1e-4);
        // Iteration index 100999 is the 101000th: its decrement applies from the next iteration.
        assertThat(LinearDecay.rateAt(1e-4, 100_999, 200_000, 100_000, 1000)).isEqualTo(1e-4);
        assertThat(LinearDecay.rateAt(1e-4, 101_000, 200_000, 100_000, 1000))
                .isCloseTo(1e-4 - 1e-9, org.assertj.core.data.Offset.offset(1e-17));
        assertThat(LinearDecay.rateAt(1e-4, 150_000, 200_000, 100_000, 1000))
                .isCloseTo(1e-4 - 50e-9, org.assertj.core.data.Offset.offset(1e-17));
        assertThat(LinearDecay.rateAt(1e-4, 199_999, 200_000, 100_000, 1000))
                .isCloseTo(1e-4 - 99e-9, org.assertj.core.data.Offset.offset(1e-17));
        // With a step of 1 the rate falls by a quarter after each of the last four iterations.
        assertThat(LinearDecay.rateAt(1.0, 6, 10, 4, 1)).isEqualTo(1.0);
        assertThat(LinearDecay.rateAt(1.0, 7, 10, 4, 1)).isEqualTo(0.75);
        assertThat(LinearDecay.rateAt(1.0, 9, 10, 4, 1)).isEqualTo(0.25);
        assertThat(LinearDecay.rateAt(1e-4, 5, 10, 0, 1)).isEqualTo(1e-4);
    }

    @Test
    void noiseIsReproduciblePerIterationAndDiffersBetweenIterations() {
        IterationNoise a = IterationNoise.draw(1234, 57, 16);
        IterationNoise b = IterationNoise.draw(1234, 57, 16);
        IterationNoise c = IterationNoise.draw(1234, 58, 16);
        IterationNoise d = IterationNoise.draw(99, 57, 16);
        assertThat(a.permutation()).containsExactly(b.permutation());
        assertThat(a.alpha()).containsExactly(b.alpha());
        assertThat(Arrays.equals(a.alpha(), c.alpha())).isFalse();
        assertThat(Arrays.equals(a.alpha(), d.alpha())).isFalse();
        int[] sorted = a.permutation().clone();
        Arrays.sort(sorted);
        assertThat(sorted).containsExactly(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
        for (float alpha : a.alpha()) {
            assertThat(alpha).isBetween(0f, 1f);
        }
    }

    @Test
    void badNoiseAndConfigsAreRejectedByName() {
        assertThatThrownBy(() -> new IterationNoise(new int[] {0, 0}, new float[] {0.1f, 0.2f}))
                .hasMessageContaining("is not a permutation");
        assertThatThrownBy(() -> TrainConfig.official().withBatchSize(0)).hasMessageContaining("--batch-size 0");
        assertThatThrownBy(() -> TrainConfig.official().withNetworks(100, 64, 64, 6, 6))
                .hasMessageContaining(
                        "--image-size 100 with --d-repeat-num 6: the image size must be a multiple of 2^6 = 64; "
                                + "use --image-size 128 or --d-repeat-num 2");
    }
}
