package org.stargan.eval;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongConsumer;
import org.stargan.ckpt.HostTensor;
import org.stargan.ckpt.SafeTensors;
import org.stargan.ckpt.StateDicts;
import org.stargan.data.BatchLoader;
import org.stargan.data.LabeledImages;
import org.stargan.nn.Discriminator;
import org.stargan.nn.DiscriminatorConfig;
import org.stargan.nn.GradMode;
import org.stargan.train.Adam;
import org.stargan.train.LabelMode;
import org.stargan.train.Losses;

/**
 * The judge of translation quality, as in the paper's evaluation: a classifier of the domains trained separately on
 * real images. It is StarGAN's discriminator architecture trained with the classification loss alone (its D_cls
 * head); multi-label domains are read with a 0.5 threshold on the sigmoid, single-label ones by arg-max.
 */
public final class AttributeClassifier implements AutoCloseable {
    private final NDManager manager;
    private final Discriminator net;
    private final List<String> domains;
    private final boolean singleLabel;

    private AttributeClassifier(NDManager manager, Discriminator net, List<String> domains, boolean singleLabel) {
        this.manager = manager;
        this.net = net;
        this.domains = List.copyOf(domains);
        this.singleLabel = singleLabel;
    }

    /** Trains a classifier of {@code data}'s domains for {@code iterations} batches (Adam, lr 1e-4, β (0.5, 0.999)). */
    public static AttributeClassifier train(
            LabeledImages data,
            DiscriminatorConfig config,
            int batchSize,
            int iterations,
            long seed,
            Device device,
            LongConsumer progress)
            throws IOException {
        NDManager manager = NDManager.newBaseManager(device);
        Discriminator d = new Discriminator(config, manager, DataType.FLOAT32, seed);
        LabelMode mode = data.singleLabel() ? LabelMode.SINGLE_LABEL : LabelMode.MULTI_LABEL;
        d.parameters().setRequiresGradient(true);
        int s = config.imageSize();
        try (Adam adam = new Adam(d.parameters(), manager, 0.5, 0.999, 1e-8);
                BatchLoader loader = new BatchLoader(data, batchSize, seed, true, 2, 4, 1L << 30)) {
            for (int i = 0; i < iterations; i++) {
                BatchLoader.Batch b = loader.next();
                try (NDManager step = manager.newSubManager();
                        GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                    NDArray x = step.create(b.images(), new Shape(batchSize, 3, s, s));
                    NDArray y = step.create(flatten(b.labels()), new Shape(batchSize, config.cDim()));
                    gc.backward(Losses.classification(d.forward(x).cls(), y, mode));
                    adam.step(1e-4);
                }
                progress.accept(i + 1);
            }
        } catch (RuntimeException | IOException e) {
            manager.close();
            throw e;
        }
        d.parameters().setRequiresGradient(false);
        return new AttributeClassifier(manager, d, data.domains(), data.singleLabel());
    }

    /** Loads a classifier written by {@link #save}. */
    public static AttributeClassifier load(Path path, Device device) throws IOException {
        SafeTensors.Contents c = SafeTensors.read(path);
        String src = path.getFileName().toString();
        DiscriminatorConfig config = StateDicts.inferDiscriminator(c.tensors(), src);
        String names = c.metadata().get("stargan.classifier.domains");
        if (names == null) {
            throw new IllegalArgumentException(
                    src + ": not a classifier written by `stargan train-classifier` (no domain list)");
        }
        NDManager manager = NDManager.newBaseManager(device);
        Discriminator d = new Discriminator(config, manager, DataType.FLOAT32, 0);
        Map<String, float[]> values = new LinkedHashMap<>();
        Map<String, long[]> shapes = new LinkedHashMap<>();
        StateDicts.validate(c.tensors(), Discriminator.parameterShapes(config), src)
                .forEach((k, t) -> {
                    values.put(k, t.values());
                    shapes.put(k, t.shape());
                });
        d.parameters().load(values, shapes, src);
        return new AttributeClassifier(
                manager,
                d,
                List.of(names.split(",")),
                Boolean.parseBoolean(c.metadata().get("stargan.classifier.single_label")));
    }

    /** Writes the weights and the domain list. */
    public void save(Path path) throws IOException {
        Map<String, HostTensor> t = new LinkedHashMap<>();
        Map<String, long[]> shapes = Discriminator.parameterShapes(net.config());
        net.parameters().toFloatArrays().forEach((k, v) -> t.put(k, new HostTensor(shapes.get(k), v)));
        SafeTensors.write(
                path,
                t,
                Map.of(
                        "stargan.classifier.domains",
                        String.join(",", domains),
                        "stargan.classifier.single_label",
                        Boolean.toString(singleLabel)));
    }

    /** Domains in label order. */
    public List<String> domains() {
        return domains;
    }

    /** Image side the classifier expects. */
    public int imageSize() {
        return net.config().imageSize();
    }

    /** Predicted labels (1/0 per domain) for {@code n} images ((N, 3, S, S) in [−1, 1]). */
    public float[][] predict(float[] images, int n) {
        int s = imageSize();
        int c = domains.size();
        float[][] out = new float[n][c];
        int chunk = 64;
        for (int start = 0; start < n; start += chunk) {
            int b = Math.min(chunk, n - start);
            float[] part = new float[b * 3 * s * s];
            System.arraycopy(images, start * 3 * s * s, part, 0, part.length);
            try (NDManager scope = manager.newSubManager();
                    GradMode ignored = GradMode.off()) {
                float[] logits = net.forward(scope.create(part, new Shape(b, 3, s, s)))
                        .cls()
                        .toFloatArray();
                for (int i = 0; i < b; i++) {
                    int arg = 0;
                    for (int j = 0; j < c; j++) {
                        if (logits[i * c + j] > logits[i * c + arg]) {
                            arg = j;
                        }
                        out[start + i][j] = !singleLabel && logits[i * c + j] > 0 ? 1 : 0;
                    }
                    if (singleLabel) {
                        out[start + i][arg] = 1;
                    }
                }
            }
        }
        return out;
    }

    private static float[] flatten(float[][] rows) {
        int c = rows[0].length;
        float[] f = new float[rows.length * c];
        for (int i = 0; i < rows.length; i++) {
            System.arraycopy(rows[i], 0, f, i * c, c);
        }
        return f;
    }

    @Override
    public void close() {
        manager.close();
    }
}
