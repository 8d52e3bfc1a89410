package org.stargan.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import org.stargan.nn.Discriminator;
import org.stargan.nn.Generator;
import org.stargan.nn.GradMode;

/**
 * One StarGAN training iteration exactly as the official {@code solver.train}: a D step every iteration and a G step
 * every {@code nCritic} iterations, Adam(β₁, β₂) for both, the official linear learning-rate decay.
 *
 * <p>Where the official code does work whose result it throws away, this does not, and the numbers stay the same:
 * G's forward inside the D step is not recorded (its output is detached there); D scores real and fake images in
 * one batch (D has no cross-sample operation, so this equals two calls); D's parameters do not record gradients
 * during the G step (the official code computes them, then zeroes them before they are used).
 *
 * <p>Invariant replacing the official {@code reset_grad()}: every gradient is zero when a backward starts, because
 * each Adam update zeroes the gradients of the network it updates and no other backward touches them.
 */
public final class StarGanTrainer implements AutoCloseable {
    private final TrainConfig config;
    private final NDManager manager;
    private final Generator generator;
    private final Discriminator discriminator;
    private final Adam gOptimizer;
    private final Adam dOptimizer;
    private GradientObserver gradientObserver = (network, parameters) -> { };

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
     * Runs iteration {@code iteration} (0-based) on a batch: {@code images} (N, 3, S, S) in [−1, 1] and {@code labels}
     * (N rows of c_dim values: multi-hot, or one-hot for single-label data). All intermediate arrays are freed
     * before it returns.
     */
    public StepLosses iterate(long iteration, NDArray images, float[][] labels, IterationNoise noise) {
        int n = Math.toIntExact(images.getShape().get(0));
        for (int i = 0; i < labels.length; i++) {
            if (labels[i].length != config.cDim()) {
                throw new IllegalArgumentException("labels[" + i + "]: " + labels[i].length + " values, expected cDim = " + config.cDim());
            }
        }
        if (labels.length != n || noise.permutation().length != n) {
            throw new IllegalArgumentException("batch: " + n + " images, " + labels.length + " label rows, "
                    + noise.permutation().length + " permutation entries; expected equal counts");
        }
        double dLr = LinearDecay.rateAt(config.dLr(), iteration, config.numIters(), config.numItersDecay(), config.lrUpdateStep());
        double gLr = LinearDecay.rateAt(config.gLr(), iteration, config.numIters(), config.numItersDecay(), config.lrUpdateStep());
        try (NDManager step = manager.newSubManager()) {
            NDArray xReal = images.getManager() == step ? images : images.duplicate();
            xReal.attach(step);
            NDArray labelOrg = labelArray(step, labels, null, xReal.getDataType());
            NDArray labelTrg = labelArray(step, labels, noise.permutation(), xReal.getDataType());
            NDArray alpha = step.create(noise.alpha(), new Shape(n, 1, 1, 1)).toType(xReal.getDataType(), false);
            double[] d = discriminatorStep(xReal, labelOrg, labelTrg, alpha, dLr);
            double[] g = {Double.NaN, Double.NaN, Double.NaN};
            if ((iteration + 1) % config.nCritic() == 0) {
                g = generatorStep(xReal, labelOrg, labelTrg, gLr);
            }
            return new StepLosses(d[0], d[1], d[2], d[3], g[0], g[1], g[2], dLr, gLr);
        }
    }

    private double[] discriminatorStep(NDArray xReal, NDArray labelOrg, NDArray labelTrg, NDArray alpha, double lr) {
        long n = xReal.getShape().get(0);
        NDArray xFake;
        try (GradMode ignored = GradMode.off()) {
            xFake = generator.forward(xReal, labelTrg);
        }
        try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
            Discriminator.Output out = discriminator.forward(NDArrays.concat(new ai.djl.ndarray.NDList(xReal, xFake), 0));
            NDArray srcReal = out.src().get(new NDIndex("0:{}", n));
            NDArray srcFake = out.src().get(new NDIndex("{}:", n));
            NDArray clsReal = out.cls().get(new NDIndex("0:{}", n));
            NDArray lossReal = Losses.negMean(srcReal);
            NDArray lossFake = srcFake.mean();
            NDArray lossCls = Losses.classification(clsReal, labelOrg, config.labelMode());
            NDArray lossGp = GradientPenalty.of(discriminator, GradientPenalty.interpolate(xReal, xFake, alpha));
            NDArray total = lossReal.add(lossFake).add(lossCls.mul(config.lambdaCls())).add(lossGp.mul(config.lambdaGp()));
            collector.backward(total);
            gradientObserver.beforeUpdate("D", discriminator.parameters());
            dOptimizer.step(lr);
            return new double[] {scalar(lossReal), scalar(lossFake), scalar(lossCls), scalar(lossGp)};
        }
    }

    private double[] generatorStep(NDArray xReal, NDArray labelOrg, NDArray labelTrg, double lr) {
        discriminator.parameters().setRequiresGradient(false);
        try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
            NDArray xFake = generator.forward(xReal, labelTrg);
            Discriminator.Output out = discriminator.forward(xFake);
            NDArray lossFake = Losses.negMean(out.src());
            NDArray lossCls = Losses.classification(out.cls(), labelTrg, config.labelMode());
            NDArray xRec = generator.forward(xFake, labelOrg);
            NDArray lossRec = Losses.l1(xReal, xRec);
            NDArray total = lossFake.add(lossRec.mul(config.lambdaRec())).add(lossCls.mul(config.lambdaCls()));
            collector.backward(total);
            gradientObserver.beforeUpdate("G", generator.parameters());
            gOptimizer.step(lr);
            return new double[] {scalar(lossFake), scalar(lossRec), scalar(lossCls)};
        } finally {
            discriminator.parameters().setRequiresGradient(true);
        }
    }

    private static NDArray labelArray(NDManager m, float[][] labels, int[] permutation, DataType dtype) {
        int n = labels.length;
        int c = labels[0].length;
        float[] flat = new float[n * c];
        for (int i = 0; i < n; i++) {
            float[] row = labels[permutation == null ? i : permutation[i]];
            if (row.length != c) {
                throw new IllegalArgumentException("labels[" + i + "]: " + row.length + " values, expected " + c);
            }
            System.arraycopy(row, 0, flat, i * c, c);
        }
        return m.create(flat, new Shape(n, c)).toType(dtype, false);
    }

    private static double scalar(NDArray a) {
        return a.toType(DataType.FLOAT64, false).getDouble();
    }

    @Override
    public void close() {
        manager.close();
    }
}
