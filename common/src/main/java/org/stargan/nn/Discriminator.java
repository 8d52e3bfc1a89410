package org.stargan.nn;

import static org.stargan.nn.Functional.conv2d;
import static org.stargan.nn.Functional.conv3x3InputGradient;
import static org.stargan.nn.Functional.convTranspose4x4s2;
import static org.stargan.nn.Functional.leakyRelu;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The StarGAN discriminator (PatchGAN), the official architecture with the official parameter names:
 * {@code repeatNum} × (Conv4×4 stride 2 with bias, LeakyReLU 0.01), then {@code conv1} (3×3, → 1, no bias) giving
 * D_src and {@code conv2} (kernel imageSize/2^repeatNum, → c_dim, no bias) giving D_cls.
 */
public final class Discriminator implements AutoCloseable {
    /** Negative slope of every LeakyReLU in D. */
    public static final float SLOPE = 0.01f;

    private final DiscriminatorConfig config;
    private final NDManager manager;
    private final NamedParameters parameters = new NamedParameters();

    /** D_src (N, 1, h, w) and D_cls (N, c_dim). */
    public record Output(NDArray src, NDArray cls) {}

    /** Creates a discriminator with PyTorch's default initialisation drawn from {@code seed}. */
    public Discriminator(DiscriminatorConfig config, NDManager parent, DataType dtype, long seed) {
        this.config = config;
        this.manager = parent.newSubManager();
        SplittableRandom rng = new SplittableRandom(seed);
        Map<String, long[]> shapes = parameterShapes(config);
        for (Map.Entry<String, long[]> e : shapes.entrySet()) {
            // A bias takes the bound of its layer's weight, as PyTorch's Conv2d.reset_parameters does.
            String weightKey = e.getKey().endsWith(".bias") ? e.getKey().replace(".bias", ".weight") : e.getKey();
            NDArray p = TorchInit.uniform(
                    manager, new Shape(e.getValue()), dtype, TorchInit.bound(new Shape(shapes.get(weightKey))), rng);
            parameters.add(e.getKey(), p);
        }
    }

    /** The official {@code state_dict} keys and shapes, in the official order. */
    public static Map<String, long[]> parameterShapes(DiscriminatorConfig config) {
        Map<String, long[]> shapes = new LinkedHashMap<>();
        long in = 3;
        long out = config.convDim();
        for (int i = 0; i < config.repeatNum(); i++) {
            shapes.put("main." + (2 * i) + ".weight", new long[] {out, in, 4, 4});
            shapes.put("main." + (2 * i) + ".bias", new long[] {out});
            in = out;
            out *= 2;
        }
        shapes.put("conv1.weight", new long[] {1, in, 3, 3});
        int k = config.classifierKernel();
        shapes.put("conv2.weight", new long[] {config.cDim(), in, k, k});
        return shapes;
    }

    /** The architecture. */
    public DiscriminatorConfig config() {
        return config;
    }

    /** Parameters under the official {@code state_dict} keys. */
    public NamedParameters parameters() {
        return parameters;
    }

    /** Scores {@code x} (N, 3, S, S) with S = imageSize. */
    public Output forward(NDArray x) {
        NDArray h = trunk(x, null);
        NDArray src = conv2d(h, parameters.get("conv1.weight"), null, 1, 1);
        NDArray cls = conv2d(h, parameters.get("conv2.weight"), null, 1, 0);
        return new Output(src, cls.reshape(cls.getShape().get(0), config.cDim()));
    }

    /**
     * ∂(Σ D_src(x̂))/∂x̂, built from ordinary differentiable operations so that one first-order backward of a loss
     * on it gives the exact second-order parameter gradient the gradient penalty needs.
     *
     * <p>Backpropagation by hand: through {@code conv1} (a flipped 3×3 convolution), through each LeakyReLU (its
     * slope, 1 or 0.01, fixed by the forward pass at x̂: piecewise constant, so it carries no gradient of its own,
     * exactly as in PyTorch's double backward), and through each stride-2 convolution (a transposed convolution
     * with the same weight). Biases drop out, as they do in the official {@code autograd.grad(create_graph=True)}.
     * This avoids PyTorch's {@code create_graph} backward, whose {@code .grad} reference cycle leaks memory
     * every iteration when driven from DJL.
     */
    public NDArray srcInputGradient(NDArray xHat) {
        List<NDArray> slopes = new ArrayList<>(config.repeatNum());
        NDArray h;
        try (GradMode ignored = GradMode.off()) {
            h = trunk(xHat, slopes);
        }
        Shape hs = h.getShape();
        NDArray g = xHat.getManager()
                .ones(new Shape(hs.get(0), 1, hs.get(2), hs.get(3)), xHat.getDataType(), xHat.getDevice());
        g = conv3x3InputGradient(g, parameters.get("conv1.weight"));
        for (int i = config.repeatNum() - 1; i >= 0; i--) {
            g = convTranspose4x4s2(g.mul(slopes.get(i)), parameters.get("main." + (2 * i) + ".weight"));
        }
        return g;
    }

    private NDArray trunk(NDArray x, List<NDArray> slopes) {
        NDArray h = x;
        for (int i = 0; i < config.repeatNum(); i++) {
            NDArray z = conv2d(
                    h,
                    parameters.get("main." + (2 * i) + ".weight"),
                    parameters.get("main." + (2 * i) + ".bias"),
                    2,
                    1);
            if (slopes != null) {
                // PyTorch's leaky_relu backward: slope 1 where z > 0, else 0.01. The numbers are tensors already on the
                // device (DeviceConstants); DJL's where() does not broadcast, hence the arithmetic.
                slopes.add(z.gt(DeviceConstants.of(z, 0))
                        .toType(z.getDataType(), false)
                        .muli(DeviceConstants.of(z, 1 - SLOPE))
                        .addi(DeviceConstants.of(z, SLOPE)));
            }
            h = leakyRelu(z, SLOPE);
        }
        return h;
    }

    @Override
    public void close() {
        manager.close();
    }
}
