package org.stargan.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.GradientCollector;
import org.stargan.nn.DeviceConstants;
import org.stargan.nn.Discriminator;
import org.stargan.nn.Generator;
import org.stargan.nn.GradMode;

/**
 * One StarGAN training iteration exactly as the official {@code solver.train}: a D step every iteration and a G step
 * every {@code nCritic} iterations, Adam(β₁, β₂) for both, the official linear learning-rate decay. With λ_id &gt; 0
 * (off by default) G's loss also has the identity term λ_id·mean|x − G(x, c_org)|; with {@code gEmaBeta > 0} (off by
 * default) a moving average of G's weights follows every G step. Neither is in the official code.
 *
 * <p>Where the official code does work whose result it throws away, this does not, and the numbers stay the same:
 * G translates the batch once per iteration, not again for the G step (G has not changed since), and records that
 * forward only when a G step will use it; D scores real and fake images in one batch (D has no cross-sample
 * operation, so this equals two calls), and with λ_id &gt; 0 G translates and copies in one batch the same way; D's
 * parameters do not record gradients during the G step (the official code computes them, then zeroes them before
 * they are used).
 *
 * <p>Invariant replacing the official {@code reset_grad()}: every gradient is zero when a backward starts, because
 * each Adam update zeroes the gradients of the network it updates and no other backward touches them.
 */
public final class StarGanTrainer implements AutoCloseable {
    private final TrainConfig config;
    private final NDManager manager;
    private final Generator generator;
    /** The moving average of G's weights when {@code gEmaBeta > 0}, else null. */
    private final Generator average;

    private final Discriminator discriminator;
    private final Adam gOptimizer;
    private final Adam dOptimizer;
    private GradientObserver gradientObserver = (network, parameters) -> {};

    /** Sees each network's gradients after its backward pass and before its Adam update consumes them. */
    @FunctionalInterface
    public interface GradientObserver {
        /**
         * Called once per update.
         *
         * @param network "D" or "G"
         * @param parameters the updated network's parameters, whose {@code getGradient()} holds this step's gradient
         */
        void beforeUpdate(String network, org.stargan.nn.NamedParameters parameters);
    }

    /** Creates both networks with PyTorch's initialisation (from the config's seed) and fresh Adam states. */
    public StarGanTrainer(TrainConfig config, NDManager parent) {
        this(config, parent, DataType.FLOAT32);
    }

    /** As {@link #StarGanTrainer(TrainConfig, NDManager)} with another element type (float64 for gradient checks). */
    public StarGanTrainer(TrainConfig config, NDManager parent, DataType dtype) {
        this.config = config;
        this.manager = parent.newSubManager();
        this.generator = new Generator(config.generator(), manager, dtype, config.seed());
        this.discriminator = new Discriminator(config.discriminator(), manager, dtype, config.seed() + 1);
        // The average starts at G's initial weights (StarGAN v2 starts its generator_ema as a copy of G): the same seed
        // draws the same weights.
        this.average = config.gEmaBeta() > 0 ? new Generator(config.generator(), manager, dtype, config.seed()) : null;
        generator.parameters().setRequiresGradient(true);
        discriminator.parameters().setRequiresGradient(true);
        this.gOptimizer = new Adam(generator.parameters(), manager, config.beta1(), config.beta2(), 1e-8);
        this.dOptimizer = new Adam(discriminator.parameters(), manager, config.beta1(), config.beta2(), 1e-8);
    }

    /** Installs an observer of the gradients (gradient-norm metrics, parity tests). */
    public void setGradientObserver(GradientObserver observer) {
        this.gradientObserver = java.util.Objects.requireNonNull(observer, "observer");
    }

    /** The configuration. */
    public TrainConfig config() {
        return config;
    }

    /** The generator being trained. */
    public Generator generator() {
        return generator;
    }

    /**
     * The moving average of G's weights ({@code gEmaBeta > 0}), or null when the configuration keeps none. Its
     * parameters are plain values: they never record gradients.
     */
    public Generator generatorAverage() {
        return average;
    }

    /** The generator a run's samples and model checkpoints show: the moving average when kept, else G itself. */
    public Generator outputGenerator() {
        return average != null ? average : generator;
    }

    /** The discriminator being trained. */
    public Discriminator discriminator() {
        return discriminator;
    }

    /** G's optimizer state. */
    public Adam generatorOptimizer() {
        return gOptimizer;
    }

    /** D's optimizer state. */
    public Adam discriminatorOptimizer() {
        return dOptimizer;
    }

    /**
     * Where a batch's labels sit in G's label vector and in D's classification output: the whole vector for one
     * dataset; with a second dataset (the official {@code train_multi}) the first dataset's labels at 0, the second's
     * after them, the other part zero, and a two-entry mask saying which dataset is known.
     *
     * @param offset first label position in G's vector and in D_cls
     * @param length number of labels of this dataset
     * @param mode how this dataset's labels are classified
     * @param mask 0 or 1: the mask entry to set (−1 when training on one dataset)
     */
    public record LabelSlot(int offset, int length, LabelMode mode, int mask) {
        /** The whole label vector of a one-dataset configuration. */
        public static LabelSlot whole(TrainConfig config) {
            return new LabelSlot(0, config.cDim(), config.labelMode(), -1);
        }

        /** The first dataset (CelebA in the official code) of a joint configuration. */
        public static LabelSlot first(TrainConfig config) {
            return new LabelSlot(0, config.cDim(), config.labelMode(), 0);
        }

        /** The second dataset (RaFD) of a joint configuration: single-label. */
        public static LabelSlot second(TrainConfig config) {
            return new LabelSlot(config.cDim(), config.c2Dim(), LabelMode.SINGLE_LABEL, 1);
        }
    }

    /**
     * Runs iteration {@code iteration} (0-based) on a batch: {@code images} (N, 3, S, S) in [−1, 1] and {@code labels}
     * (N rows of c_dim values: multi-hot, or one-hot for single-label data). All intermediate arrays are freed
     * before it returns.
     */
    public StepLosses iterate(long iteration, NDArray images, float[][] labels, IterationNoise noise) {
        return iterate(iteration, images, labels, noise, LabelSlot.whole(config));
    }

    /** As {@link #iterate(long, NDArray, float[][], IterationNoise)} for the labels of one dataset of a joint run. */
    public StepLosses iterate(long iteration, NDArray images, float[][] labels, IterationNoise noise, LabelSlot slot) {
        int n = Math.toIntExact(images.getShape().get(0));
        for (int i = 0; i < labels.length; i++) {
            if (labels[i].length != slot.length()) {
                throw new IllegalArgumentException(
                        "labels[" + i + "]: " + labels[i].length + " values, expected " + slot.length());
            }
        }
        if (labels.length != n || noise.permutation().length != n) {
            throw new IllegalArgumentException("batch: " + n + " images, " + labels.length + " label rows, "
                    + noise.permutation().length + " permutation entries; expected equal counts");
        }
        double dLr = LinearDecay.rateAt(
                config.dLr(), iteration, config.numIters(), config.numItersDecay(), config.lrUpdateStep());
        double gLr = LinearDecay.rateAt(
                config.gLr(), iteration, config.numIters(), config.numItersDecay(), config.lrUpdateStep());
        try (NDManager step = manager.newSubManager()) {
            NDArray xReal = images.getManager() == step ? images : images.duplicate();
            xReal.attach(step);
            BatchExtras extras = batchExtras(step, labels, noise, xReal.getDataType(), slot);
            boolean gStep = (iteration + 1) % config.nCritic() == 0;
            Translations fakes = translate(xReal, extras.org(), extras.trg(), gStep);
            double[] d = discriminatorStep(xReal, fakes.fake().stopGradient(), extras.org(), extras.alpha(), slot, dLr);
            double[] g = {Double.NaN, Double.NaN, Double.NaN, Double.NaN};
            if (gStep) {
                g = generatorStep(xReal, fakes, extras.org(), extras.trg(), slot, gLr);
            }
            return new StepLosses(d[0], d[1], d[2], d[3], g[0], g[1], g[2], g[3], dLr, gLr);
        }
    }

    /** A batch's labels as the classification target ({@code slot.length} wide) and as G's input c (full width). */
    private record Labels(NDArray cls, NDArray c) {}

    /** G(x, c_trg), and G(x, c_org) when the identity term is on and a G step follows; {@code copy} null otherwise. */
    private record Translations(NDArray fake, NDArray copy) {}

    /**
     * Translates the batch once for the whole iteration. The official code runs G(x, c_trg) twice in an iteration
     * with a G step: detached for the D step, then again for the G step. G's parameters do not change in between
     * (only D is updated), so the second call returns the same images; this one call records its graph when a G
     * step will backpropagate through it, and the D step sees it detached.
     */
    private Translations translate(NDArray xReal, Labels org, Labels trg, boolean forGStep) {
        try (GradMode ignored = forGStep ? GradMode.on() : GradMode.off()) {
            if (!forGStep || config.lambdaId() <= 0) {
                return new Translations(generator.forward(xReal, trg.c()), null);
            }
            // G(x, c_trg) and G(x, c_org) in one batch of 2N: G has no cross-sample operation (instance norm, no
            // running statistics), so this equals two calls and costs less than them.
            long n = xReal.getShape().get(0);
            NDArray both = generator.forward(
                    NDArrays.concat(new NDList(xReal, xReal), 0), NDArrays.concat(new NDList(trg.c(), org.c()), 0));
            return new Translations(both.get(new NDIndex("0:{}", n)), both.get(new NDIndex("{}:", n)));
        }
    }

    private double[] discriminatorStep(
            NDArray xReal, NDArray xFake, Labels org, NDArray alpha, LabelSlot slot, double lr) {
        long n = xReal.getShape().get(0);
        try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
            Discriminator.Output out = discriminator.forward(NDArrays.concat(new NDList(xReal, xFake), 0));
            NDArray srcReal = out.src().get(new NDIndex("0:{}", n));
            NDArray srcFake = out.src().get(new NDIndex("{}:", n));
            NDArray clsReal =
                    out.cls().get(new NDIndex("0:{}, {}:{}", n, slot.offset(), slot.offset() + slot.length()));
            NDArray lossReal = Losses.negMean(srcReal);
            NDArray lossFake = srcFake.mean();
            NDArray lossCls = Losses.classification(clsReal, org.cls(), slot.mode());
            NDArray lossGp = GradientPenalty.of(discriminator, GradientPenalty.interpolate(xReal, xFake, alpha));
            NDArray total = lossReal.add(lossFake)
                    .add(lossCls.mul(DeviceConstants.of(xReal, config.lambdaCls())))
                    .add(lossGp.mul(DeviceConstants.of(xReal, config.lambdaGp())));
            collector.backward(total);
            gradientObserver.beforeUpdate("D", discriminator.parameters());
            dOptimizer.step(lr);
            return values(lossReal, lossFake, lossCls, lossGp);
        }
    }

    private double[] generatorStep(
            NDArray xReal, Translations fakes, Labels org, Labels trg, LabelSlot slot, double lr) {
        discriminator.parameters().setRequiresGradient(false);
        try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
            NDArray xFake = fakes.fake();
            Discriminator.Output out = discriminator.forward(xFake);
            NDArray lossFake = Losses.negMean(out.src());
            NDArray cls = slot.length() == config.cDim() + config.c2Dim()
                    ? out.cls()
                    : out.cls().get(new NDIndex(":, {}:{}", slot.offset(), slot.offset() + slot.length()));
            NDArray lossCls = Losses.classification(cls, trg.cls(), slot.mode());
            NDArray xRec = generator.forward(xFake, org.c());
            NDArray lossRec = Losses.l1(xReal, xRec);
            NDArray total = lossFake.add(lossRec.mul(DeviceConstants.of(xReal, config.lambdaRec())))
                    .add(lossCls.mul(DeviceConstants.of(xReal, config.lambdaCls())));
            NDArray lossId = null;
            if (fakes.copy() != null) {
                // Not in the official objective: translating an image to its own domain should change nothing.
                lossId = Losses.l1(xReal, fakes.copy());
                total = total.add(lossId.mul(DeviceConstants.of(xReal, config.lambdaId())));
            }
            collector.backward(total);
            gradientObserver.beforeUpdate("G", generator.parameters());
            gOptimizer.step(lr);
            updateAverage();
            if (lossId == null) {
                double[] v = values(lossFake, lossRec, lossCls);
                return new double[] {v[0], v[1], v[2], Double.NaN};
            }
            return values(lossFake, lossRec, lossCls, lossId);
        } finally {
            discriminator.parameters().setRequiresGradient(true);
        }
    }

    /** ema ← β·ema + (1 − β)·G, in place, written as ema += (1 − β)·(G − ema). */
    private void updateAverage() {
        if (average == null) {
            return;
        }
        double rate = 1 - config.gEmaBeta();
        try (GradMode ignored = GradMode.off()) {
            generator.parameters().asMap().forEach((name, p) -> {
                NDArray avg = average.parameters().get(name);
                try (NDArray step = p.sub(avg)) {
                    avg.addi(step.muli(DeviceConstants.of(avg, rate)));
                }
            });
        }
    }

    /** The labels, target labels and α of one iteration on the device. */
    private record BatchExtras(Labels org, Labels trg, NDArray alpha) {}

    /**
     * Everything of an iteration's batch besides the images, copied to the device in one piece: the labels and the
     * target labels (each as the classification target and as G's input c) and the gradient-penalty weights α. On a
     * GPU each array made from Java memory is a blocking copy; one copy per batch instead of five.
     */
    private BatchExtras batchExtras(
            NDManager step, float[][] labels, IterationNoise noise, DataType dtype, LabelSlot slot) {
        int n = labels.length;
        int clsWidth = labels[0].length;
        int cWidth = config.gLabelDim();
        int[][] orders = {null, noise.permutation()};
        int part = n * (clsWidth + cWidth);
        float[] host = new float[2 * part + n];
        for (int k = 0; k < 2; k++) {
            placeLabels(host, k * part, labels, orders[k], null, clsWidth);
            placeLabels(host, k * part + n * clsWidth, labels, orders[k], slot, cWidth);
        }
        System.arraycopy(noise.alpha(), 0, host, 2 * part, n);
        NDArray all = step.create(host);
        Labels[] parts = new Labels[2];
        for (int k = 0; k < 2; k++) {
            int at = k * part;
            parts[k] = new Labels(
                    slice(all, at, n * clsWidth).reshape(n, clsWidth).toType(dtype, false),
                    slice(all, at + n * clsWidth, n * cWidth).reshape(n, cWidth).toType(dtype, false));
        }
        NDArray alpha = slice(all, 2 * part, n).reshape(n, 1, 1, 1).toType(dtype, false);
        return new BatchExtras(parts[0], parts[1], alpha);
    }

    private static NDArray slice(NDArray flat, int from, int length) {
        return flat.get(new NDIndex("{}:{}", from, from + length));
    }

    /**
     * Writes the labels (optionally permuted) as an (N, width) block at {@code offset}: the bare rows when {@code slot}
     * is null, else placed at the slot's offset in G's full label vector with the slot's mask entry set.
     */
    private void placeLabels(float[] out, int offset, float[][] labels, int[] permutation, LabelSlot slot, int width) {
        int c = labels[0].length;
        int at = slot == null ? 0 : slot.offset();
        for (int i = 0; i < labels.length; i++) {
            float[] row = labels[permutation == null ? i : permutation[i]];
            System.arraycopy(row, 0, out, offset + i * width + at, c);
            if (slot != null && slot.mask() >= 0) {
                out[offset + i * width + config.cDim() + config.c2Dim() + slot.mask()] = 1;
            }
        }
    }

    /** The values of several 0-dim losses in one read from the device (each read waits for the device to finish). */
    private static double[] values(NDArray... losses) {
        try (GradMode ignored = GradMode.off()) {
            NDArray stacked = NDArrays.stack(new NDList(losses));
            return stacked.toType(DataType.FLOAT64, false).toDoubleArray();
        }
    }

    @Override
    public void close() {
        manager.close();
    }
}
