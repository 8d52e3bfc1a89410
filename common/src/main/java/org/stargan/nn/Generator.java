package org.stargan.nn;

import static org.stargan.nn.Functional.conv2d;
import static org.stargan.nn.Functional.convTranspose4x4s2;
import static org.stargan.nn.Functional.instanceNorm;
import static org.stargan.nn.Functional.relu;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The StarGAN generator G(x, c), the official architecture with the official parameter names:
 * Conv7×7 → IN → ReLU; two stride-2 Conv4×4 → IN → ReLU; {@code repeatNum} residual blocks; two ConvTranspose
 * 4×4 → IN → ReLU; Conv7×7 → tanh. No convolution has a bias.
 *
 * <p>Activations are created in the manager of the input {@code x}; run each forward pass in a short-lived
 * manager. The network's own tensors live in its manager until {@link #close()}.
 */
public final class Generator implements AutoCloseable {
    private final GeneratorConfig config;
    private final NDManager manager;
    private final NamedParameters parameters = new NamedParameters();
    private final int residualStart;
    private final int upStart;
    private final int lastConv;

    /** Creates a generator with PyTorch's default initialisation drawn from {@code seed}. */
    public Generator(GeneratorConfig config, NDManager parent, DataType dtype, long seed) {
        this(config, parent, dtype, new SplittableRandom(seed));
    }

    /**
     * A generator whose weights are zeros made on the device, to be overwritten by a checkpoint: no random draws and no
     * copies from Java memory (the checkpoint's values are the only ones copied in).
     */
    public static Generator forWeights(GeneratorConfig config, NDManager parent, DataType dtype) {
        return new Generator(config, parent, dtype, (SplittableRandom) null);
    }

    private Generator(GeneratorConfig config, NDManager parent, DataType dtype, SplittableRandom rng) {
        this.config = config;
        this.manager = parent.newSubManager();
        this.residualStart = 9;
        this.upStart = residualStart + config.repeatNum();
        this.lastConv = upStart + 6;
        for (Map.Entry<String, long[]> e : parameterShapes(config).entrySet()) {
            long[] shape = e.getValue();
            NDArray p;
            if (rng == null) {
                p = manager.zeros(new Shape(shape), dtype);
            } else if (shape.length == 4) {
                p = TorchInit.uniform(manager, new Shape(shape), dtype, TorchInit.bound(new Shape(shape)), rng);
            } else if (e.getKey().endsWith(".weight")) {
                p = manager.ones(new Shape(shape), dtype);
            } else {
                p = manager.zeros(new Shape(shape), dtype);
            }
            parameters.add(e.getKey(), p);
        }
    }

    /**
     * The official {@code state_dict} keys of the learnable tensors and their shapes, in the official order (buffers
     * such as {@code running_mean} excluded).
     */
    public static Map<String, long[]> parameterShapes(GeneratorConfig config) {
        Map<String, long[]> shapes = new LinkedHashMap<>();
        int d = config.convDim();
        shapes.put("main.0.weight", new long[] {d, 3 + config.cDim(), 7, 7});
        norm(shapes, "main.1", d);
        int curr = d;
        for (int i = 0; i < 2; i++) {
            shapes.put("main." + (3 + 3 * i) + ".weight", new long[] {curr * 2, curr, 4, 4});
            norm(shapes, "main." + (4 + 3 * i), curr * 2);
            curr *= 2;
        }
        for (int r = 0; r < config.repeatNum(); r++) {
            String p = "main." + (9 + r) + ".main.";
            shapes.put(p + "0.weight", new long[] {curr, curr, 3, 3});
            norm(shapes, p + "1", curr);
            shapes.put(p + "3.weight", new long[] {curr, curr, 3, 3});
            norm(shapes, p + "4", curr);
        }
        int up = 9 + config.repeatNum();
        for (int i = 0; i < 2; i++) {
            // ConvTranspose2d stores [C_in, C_out, k, k].
            shapes.put("main." + (up + 3 * i) + ".weight", new long[] {curr, curr / 2, 4, 4});
            norm(shapes, "main." + (up + 1 + 3 * i), curr / 2);
            curr /= 2;
        }
        shapes.put("main." + (up + 6) + ".weight", new long[] {3, curr, 7, 7});
        return shapes;
    }

    private static void norm(Map<String, long[]> shapes, String prefix, long channels) {
        shapes.put(prefix + ".weight", new long[] {channels});
        shapes.put(prefix + ".bias", new long[] {channels});
    }

    /** The architecture. */
    public GeneratorConfig config() {
        return config;
    }

    /** Parameters under the official {@code state_dict} keys. */
    public NamedParameters parameters() {
        return parameters;
    }

    /** Device holding the parameters. */
    public Device device() {
        return manager.getDevice();
    }

    /**
     * Translates {@code x} (N, 3, H, W) in [−1, 1] into the domains {@code c} (N, c_dim); returns (N, 3, H, W) in
     * [−1, 1]. H and W must be multiples of 4.
     */
    public NDArray forward(NDArray x, NDArray c) {
        Shape s = x.getShape();
        long n = s.get(0);
        long h = s.get(2);
        long w = s.get(3);
        if (s.dimension() != 4 || s.get(1) != 3) {
            throw new IllegalArgumentException("x: shape " + s + ", expected (N, 3, H, W)");
        }
        if (h % 4 != 0 || w % 4 != 0) {
            throw new IllegalArgumentException("x: size " + h + "×" + w + ", expected multiples of 4");
        }
        if (!c.getShape().equals(new Shape(n, config.cDim()))) {
            throw new IllegalArgumentException(
                    "c: shape " + c.getShape() + ", expected (" + n + ", " + config.cDim() + ")");
        }
        NDArray labels = c.reshape(n, config.cDim(), 1, 1).broadcast(n, config.cDim(), h, w);
        NDArray t = x.concat(labels, 1);
        t = convNormRelu(t, "main.0", "main.1", 1, 3);
        for (int i = 0; i < 2; i++) {
            t = convNormRelu(t, "main." + (3 + 3 * i), "main." + (4 + 3 * i), 2, 1);
        }
        for (int r = 0; r < config.repeatNum(); r++) {
            String p = "main." + (residualStart + r) + ".main.";
            NDArray u = convNormRelu(t, p + "0", p + "1", 1, 1);
            u = instanceNorm(conv2d(u, param(p + "3.weight"), null, 1, 1), param(p + "4.weight"), param(p + "4.bias"));
            t = t.add(u);
        }
        for (int i = 0; i < 2; i++) {
            String conv = "main." + (upStart + 3 * i);
            String norm = "main." + (upStart + 1 + 3 * i);
            t = relu(instanceNorm(
                    convTranspose4x4s2(t, param(conv + ".weight")), param(norm + ".weight"), param(norm + ".bias")));
        }
        return conv2d(t, param("main." + lastConv + ".weight"), null, 1, 3).tanh();
    }

    private NDArray convNormRelu(NDArray t, String conv, String norm, int stride, int pad) {
        NDArray y = conv2d(t, param(conv + ".weight"), null, stride, pad);
        return relu(instanceNorm(y, param(norm + ".weight"), param(norm + ".bias")));
    }

    private NDArray param(String name) {
        return parameters.get(name);
    }

    @Override
    public void close() {
        manager.close();
    }
}
