package org.stargan.train;

import java.lang.reflect.RecordComponent;
import org.stargan.nn.DiscriminatorConfig;
import org.stargan.nn.GeneratorConfig;
import org.stargan.options.OptionValues;
import org.stargan.options.TrainOptions;

/**
 * Training hyper-parameters with the names and defaults of the official {@code main.py}.
 *
 * @param cDim number of domain labels
 * @param imageSize image side in pixels
 * @param gConvDim generator's first-layer channels
 * @param dConvDim discriminator's first-layer channels
 * @param gRepeatNum generator residual blocks
 * @param dRepeatNum discriminator stride-2 layers
 * @param lambdaCls weight of the domain classification loss
 * @param lambdaRec weight of the reconstruction loss
 * @param lambdaGp weight of the gradient penalty
 * @param batchSize images per iteration
 * @param numIters total iterations
 * @param numItersDecay iterations over which both learning rates decay linearly to zero
 * @param gLr generator learning rate
 * @param dLr discriminator learning rate
 * @param nCritic D updates per G update
 * @param beta1 Adam β₁
 * @param beta2 Adam β₂
 * @param lrUpdateStep iterations between learning-rate decrements
 * @param labelMode multi-label (CelebA) or single-label (RaFD, folders)
 * @param seed seed of the initial weights, the target-label permutations and the gradient-penalty α
 * @param c2Dim domains of a second dataset trained jointly (the official {@code --dataset Both}: RaFD's 8
 *     expressions), 0 for one dataset; then G's label vector is [c_dim labels, c2_dim labels, 2-entry mask]
 * @param lambdaId weight of an identity term λ_id·mean|x − G(x, c_org)| added to G's loss; 0 (the default) is the
 *     official objective. Not part of StarGAN: CycleGAN's identity loss, which ties a translation's untouched colours
 *     (background, lighting) to its input's, something no official term does
 * @param gEmaBeta decay of an exponential moving average of G's weights, updated after every G step (ema ← β·ema +
 *     (1 − β)·G); the run's samples and model checkpoints then come from the average. 0 (the default) keeps none, as
 *     the official code. Not part of StarGAN: StarGAN v2's {@code generator_ema} (β 0.999), which averages out the
 *     step-to-step noise of adversarial training
 */
public record TrainConfig(
        int cDim,
        int imageSize,
        int gConvDim,
        int dConvDim,
        int gRepeatNum,
        int dRepeatNum,
        double lambdaCls,
        double lambdaRec,
        double lambdaGp,
        int batchSize,
        long numIters,
        long numItersDecay,
        double gLr,
        double dLr,
        int nCritic,
        double beta1,
        double beta2,
        long lrUpdateStep,
        LabelMode labelMode,
        long seed,
        int c2Dim,
        double lambdaId,
        double gEmaBeta) {

    /** What a resumed run may change: how long it runs and its learning rates (fields). */
    private static final java.util.List<String> SCHEDULE =
            java.util.List.of("numIters", "numItersDecay", "gLr", "dLr", "lrUpdateStep");

    /** The same as command-line options. */
    public static final java.util.List<String> SCHEDULE_OPTIONS =
            SCHEDULE.stream().map(TrainConfig::optionName).toList();

    /** Fields that no option sets directly, by what sets them; every other field is the option of its kebab-case name. */
    static final java.util.Map<String, String> SET_BY = java.util.Map.of(
            "cDim", "the number of domains (--selected-attrs, --dataset)",
            "c2Dim", "the second dataset's domains (--dataset both)",
            "labelMode", "single- or multi-label domains (--dataset)");

    /**
     * Validates every field; the message names the option a user sets it with (the command line's, which is also a
     * training job's field), the value and what to do, since the fields are only ever set through those options.
     */
    public TrainConfig {
        positive("cDim", cDim);
        positive("imageSize", imageSize);
        positive("batchSize", batchSize);
        positive("nCritic", nCritic);
        positive("lrUpdateStep", lrUpdateStep);
        positive("numIters", numIters);
        if (numItersDecay < 0 || numItersDecay > numIters) {
            throw new IllegalArgumentException("--num-iters-decay " + numItersDecay + " with --num-iters " + numIters
                    + ": the decay happens within the run, so expected 0.." + numIters);
        }
        nonNegative("lambdaCls", lambdaCls);
        nonNegative("lambdaRec", lambdaRec);
        nonNegative("lambdaGp", lambdaGp);
        nonNegative("lambdaId", lambdaId);
        nonNegative("gLr", gLr);
        nonNegative("dLr", dLr);
        if (!(beta1 >= 0 && beta1 < 1) || !(beta2 >= 0 && beta2 < 1)) {
            throw new IllegalArgumentException(
                    "--beta1 " + beta1 + ", --beta2 " + beta2 + ": expected values in [0, 1)");
        }
        if (!(gEmaBeta >= 0 && gEmaBeta < 1)) {
            throw new IllegalArgumentException(
                    "--g-ema-beta " + gEmaBeta + ", expected a value in [0, 1) (0: no average)");
        }
        if (c2Dim < 0) {
            throw new IllegalArgumentException("c2Dim: " + c2Dim + ", expected ≥ 0");
        }
        if (labelMode == null) {
            throw new IllegalArgumentException("labelMode: null, expected MULTI_LABEL or SINGLE_LABEL");
        }
        checkDiscriminatorFits(imageSize, dRepeatNum);
        new GeneratorConfig(gConvDim, cDim + c2Dim + (c2Dim > 0 ? 2 : 0), gRepeatNum);
        new DiscriminatorConfig(imageSize, dConvDim, cDim + c2Dim, dRepeatNum);
    }

    /**
     * D halves the image {@code dRepeatNum} times and its classification head covers what is left with one kernel, so
     * the size must be a multiple of 2^dRepeatNum; the message offers the nearest size that works and the deepest D
     * that fits the size given.
     */
    private static void checkDiscriminatorFits(int imageSize, int dRepeatNum) {
        if (dRepeatNum < 1 || dRepeatNum > 12) {
            throw new IllegalArgumentException("--d-repeat-num " + dRepeatNum + ", expected 1..12");
        }
        int cell = 1 << dRepeatNum;
        if (imageSize % cell == 0) {
            return;
        }
        int larger = (imageSize / cell + 1) * cell;
        int fitting = Math.min(Integer.numberOfTrailingZeros(imageSize), 12);
        throw new IllegalArgumentException("--image-size " + imageSize + " with --d-repeat-num " + dRepeatNum
                + ": the image size must be a multiple of 2^" + dRepeatNum + " = " + cell + "; use --image-size "
                + larger + (fitting >= 1 ? " or --d-repeat-num " + fitting : ""));
    }

    private static void nonNegative(String field, double v) {
        if (!(v >= 0) || Double.isInfinite(v)) {
            throw new IllegalArgumentException(optionName(field) + " " + v + ", expected a finite number ≥ 0");
        }
    }

    private static void positive(String field, long v) {
        if (v < 1) {
            throw new IllegalArgumentException(
                    SET_BY.getOrDefault(field, optionName(field)) + " " + v + ", expected ≥ 1");
        }
    }

    /**
     * The fields outside the schedule in which {@code other} differs from this one, each as
     * "--option: saved this-value, given other-value"; empty when a run saved under this configuration may continue under
     * {@code other}. Every field not in the schedule counts (checked by reflection, so a field added later is
     * compared too): the networks' shapes, the losses, the batch and the seed that orders the data.
     */
    public java.util.List<String> differencesOutsideSchedule(TrainConfig other) {
        java.util.List<String> differences = new java.util.ArrayList<>();
        for (RecordComponent field : TrainConfig.class.getRecordComponents()) {
            if (SCHEDULE.contains(field.getName())) {
                continue;
            }
            try {
                Object mine = field.getAccessor().invoke(this);
                Object theirs = field.getAccessor().invoke(other);
                if (!mine.equals(theirs)) {
                    differences.add(SET_BY.getOrDefault(field.getName(), optionName(field.getName())) + ": saved "
                            + mine + ", given " + theirs);
                }
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException("reading TrainConfig." + field.getName(), e);
            }
        }
        return differences;
    }

    /** The command-line option of a field: {@code numItersDecay} → {@code --num-iters-decay}. */
    static String optionName(String field) {
        return "--" + field.replaceAll("([A-Z])", "-$1").toLowerCase(java.util.Locale.ROOT);
    }

    /** The official defaults (CelebA, 128 px, 5 attributes, 200k iterations). */
    public static TrainConfig official() {
        return builder().build();
    }

    /** A builder starting from the official defaults, which are those of {@link TrainOptions#TABLE}. */
    public static TrainConfigBuilder builder() {
        return new TrainConfigBuilder();
    }

    /** A builder starting from this configuration. */
    public TrainConfigBuilder toBuilder() {
        TrainConfigBuilder b = new TrainConfigBuilder();
        for (RecordComponent c : TrainConfig.class.getRecordComponents()) {
            try {
                b.values.put(c.getName(), c.getAccessor().invoke(this));
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException("reading TrainConfig." + c.getName(), e);
            }
        }
        b.decayGiven = true;
        return b;
    }

    /**
     * The configuration a run's options ask for: every field of the option of its kebab-case name ({@code numIters} ←
     * {@code --num-iters}) when given, else the default, plus what the data decides (the domain counts, the label
     * mode). A field without an option of its name has to be in {@code SET_BY}.
     */
    public static TrainConfig fromOptions(OptionValues options, int cDim, LabelMode labelMode, int c2Dim) {
        TrainConfigBuilder b = builder().labels(labelMode, cDim).secondDataset(c2Dim);
        for (RecordComponent c : TrainConfig.class.getRecordComponents()) {
            String option = optionName(c.getName()).substring(2);
            if (!SET_BY.containsKey(c.getName()) && options.has(option)) {
                b.option(c.getName(), options.value(option));
            }
        }
        return b.build();
    }

    /** Length of G's label vector: c_dim, or c_dim + c2_dim + 2 (the mask) with a second dataset. */
    public int gLabelDim() {
        return cDim + c2Dim + (c2Dim > 0 ? 2 : 0);
    }

    /** A copy training jointly with a second dataset of {@code c2Dim} single-label domains (0: none). */
    public TrainConfig withSecondDataset(int c2Dim) {
        return toBuilder().secondDataset(c2Dim).build();
    }

    /** The generator this configuration trains. */
    public GeneratorConfig generator() {
        return new GeneratorConfig(gConvDim, gLabelDim(), gRepeatNum);
    }

    /** The discriminator this configuration trains. */
    public DiscriminatorConfig discriminator() {
        return new DiscriminatorConfig(imageSize, dConvDim, cDim + c2Dim, dRepeatNum);
    }

    /** A copy with other network sizes. */
    public TrainConfig withNetworks(int imageSize, int gConvDim, int dConvDim, int gRepeatNum, int dRepeatNum) {
        return toBuilder()
                .networks(imageSize, gConvDim, dConvDim, gRepeatNum, dRepeatNum)
                .build();
    }

    /** A copy with another batch size. */
    public TrainConfig withBatchSize(int batchSize) {
        return toBuilder().batchSize(batchSize).build();
    }

    /** A copy with other loop settings. */
    public TrainConfig withSchedule(long numIters, long numItersDecay, int nCritic, long lrUpdateStep) {
        return toBuilder()
                .schedule(numIters, numItersDecay, nCritic, lrUpdateStep)
                .build();
    }

    /** A copy with another label mode and domain count. */
    public TrainConfig withLabels(LabelMode labelMode, int cDim) {
        return toBuilder().labels(labelMode, cDim).build();
    }

    /** A copy with the identity term's weight {@code lambdaId} (0: the official objective). */
    public TrainConfig withIdentityLoss(double lambdaId) {
        return toBuilder().identityLoss(lambdaId).build();
    }

    /** A copy keeping a moving average of G's weights with decay {@code gEmaBeta} (0: none, the official code). */
    public TrainConfig withGeneratorAverage(double gEmaBeta) {
        return toBuilder().generatorAverage(gEmaBeta).build();
    }

    /** A copy with another seed. */
    public TrainConfig withSeed(long seed) {
        return toBuilder().seed(seed).build();
    }
}
