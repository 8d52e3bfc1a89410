package org.stargan.nn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class NetworkArchitectureTest {
    private static NDManager manager;

    @BeforeAll
    static void open() {
        manager = NDManager.newBaseManager();
    }

    @AfterAll
    static void close() {
        manager.close();
    }

    @Test
    void paperGeneratorHasTheOfficialParameterCountAndKeys() {
        try (Generator g = new Generator(GeneratorConfig.paper(5), manager, DataType.FLOAT32, 1)) {
            assertThat(g.parameters().count()).isEqualTo(8_430_528L);
            List<String> keys = new ArrayList<>(g.parameters().asMap().keySet());
            assertThat(keys)
                    .startsWith(
                            "main.0.weight",
                            "main.1.weight",
                            "main.1.bias",
                            "main.3.weight",
                            "main.4.weight",
                            "main.4.bias",
                            "main.6.weight",
                            "main.7.weight",
                            "main.7.bias",
                            "main.9.main.0.weight",
                            "main.9.main.1.weight",
                            "main.9.main.1.bias",
                            "main.9.main.3.weight",
                            "main.9.main.4.weight",
                            "main.9.main.4.bias");
            assertThat(keys)
                    .endsWith(
                            "main.15.weight",
                            "main.16.weight",
                            "main.16.bias",
                            "main.18.weight",
                            "main.19.weight",
                            "main.19.bias",
                            "main.21.weight");
            assertThat(g.parameters().get("main.0.weight").getShape()).isEqualTo(new Shape(64, 8, 7, 7));
            // ConvTranspose2d keeps PyTorch's [C_in, C_out, k, k] layout.
            assertThat(g.parameters().get("main.15.weight").getShape()).isEqualTo(new Shape(256, 128, 4, 4));
        }
    }

    @Test
    void paperDiscriminatorHasTheOfficialParameterCountAndKeys() {
        try (Discriminator d = new Discriminator(DiscriminatorConfig.paper(128, 5), manager, DataType.FLOAT32, 1)) {
            assertThat(d.parameters().count()).isEqualTo(44_762_048L);
            assertThat(d.parameters().asMap().keySet())
                    .containsExactly(
                            "main.0.weight",
                            "main.0.bias",
                            "main.2.weight",
                            "main.2.bias",
                            "main.4.weight",
                            "main.4.bias",
                            "main.6.weight",
                            "main.6.bias",
                            "main.8.weight",
                            "main.8.bias",
                            "main.10.weight",
                            "main.10.bias",
                            "conv1.weight",
                            "conv2.weight");
            assertThat(d.parameters().get("conv2.weight").getShape()).isEqualTo(new Shape(5, 2048, 2, 2));
        }
    }

    @Test
    void outputsHaveTheOfficialShapesForOtherSizes() {
        try (NDManager m = manager.newSubManager();
                Generator g = new Generator(new GeneratorConfig(8, 3, 1), m, DataType.FLOAT32, 2);
                Discriminator d = new Discriminator(new DiscriminatorConfig(64, 8, 3, 4), m, DataType.FLOAT32, 3)) {
            NDArray x = m.randomUniform(-1, 1, new Shape(2, 3, 64, 64));
            NDArray c = m.create(new float[] {1, 0, 0, 0, 1, 1}, new Shape(2, 3));
            NDArray y = g.forward(x, c);
            assertThat(y.getShape()).isEqualTo(new Shape(2, 3, 64, 64));
            assertThat(y.abs().max().getFloat()).isLessThanOrEqualTo(1f);
            Discriminator.Output out = d.forward(y);
            assertThat(out.src().getShape()).isEqualTo(new Shape(2, 1, 4, 4));
            assertThat(out.cls().getShape()).isEqualTo(new Shape(2, 3));
        }
    }

    @Test
    void badInputsNameTheFieldAndTheExpectedShape() {
        try (NDManager m = manager.newSubManager();
                Generator g = new Generator(new GeneratorConfig(4, 2, 0), m, DataType.FLOAT32, 2)) {
            NDArray x = m.zeros(new Shape(1, 3, 8, 8));
            assertThatThrownBy(() -> g.forward(x, m.zeros(new Shape(1, 5))))
                    .hasMessageContaining("c: shape (1, 5), expected (1, 2)");
            assertThatThrownBy(() -> g.forward(m.zeros(new Shape(1, 3, 10, 10)), m.zeros(new Shape(1, 2))))
                    .hasMessageContaining("expected multiples of 4");
        }
        assertThatThrownBy(() -> new DiscriminatorConfig(100, 64, 5, 6)).hasMessageContaining("imageSize: 100");
    }

    @Test
    void defaultInitialisationIsPyTorchs() {
        try (Discriminator d = new Discriminator(DiscriminatorConfig.paper(128, 5), manager, DataType.FLOAT32, 7);
                Generator g = new Generator(GeneratorConfig.paper(5), manager, DataType.FLOAT32, 7)) {
            // kaiming_uniform(a=√5): U(±1/√fan_in); std of a uniform is bound/√3.
            assertUniform(d.parameters().get("main.6.weight"), 1 / Math.sqrt(256 * 16));
            assertUniform(d.parameters().get("main.6.bias"), 1 / Math.sqrt(256 * 16));
            assertUniform(g.parameters().get("main.9.main.0.weight"), 1 / Math.sqrt(256 * 9));
            // A transposed convolution's fan_in is computed from dim 1 of [C_in, C_out, k, k], i.e. C_out·k·k.
            assertUniform(g.parameters().get("main.15.weight"), 1 / Math.sqrt(128 * 16));
            assertThat(g.parameters().get("main.1.weight").toFloatArray()).containsOnly(1f);
            assertThat(g.parameters().get("main.1.bias").toFloatArray()).containsOnly(0f);
        }
    }

    private static void assertUniform(NDArray w, double bound) {
        float[] v = w.toFloatArray();
        double sum = 0;
        double sq = 0;
        double max = 0;
        for (float f : v) {
            sum += f;
            sq += (double) f * f;
            max = Math.max(max, Math.abs(f));
        }
        double mean = sum / v.length;
        double std = Math.sqrt(sq / v.length - mean * mean);
        assertThat(max).isLessThanOrEqualTo(bound);
        assertThat(max).isGreaterThan(bound * 0.95);
        assertThat(std)
                .isCloseTo(
                        bound / Math.sqrt(3),
                        org.assertj.core.data.Percentage.withPercentage(v.length > 10_000 ? 2 : 15));
    }
}
