package org.stargan.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.stargan.data.CelebAImages;
import org.stargan.data.LabeledImages;
import org.stargan.train.LabelMode;
import org.stargan.train.TrainConfig;
import org.stargan.train.TrainingRun;

/**
 * Turns {@code train} options into a ready run, for services that accept training jobs (the trainer worker): the
 * same names, defaults and checks as {@code ./stargan train}.
 */
public final class TrainingJobs {
    /** The train options a service job may carry (no output directories, no resume, no device: the service decides those). */
    public static final Set<String> OPTIONS = options();

    private TrainingJobs() {}

    private static Set<String> options() {
        Set<String> known = new HashSet<>(DataOptions.NAMES);
        known.addAll(List.of(
                "c-dim",
                "g-conv-dim",
                "d-conv-dim",
                "g-repeat-num",
                "d-repeat-num",
                "lambda-cls",
                "lambda-rec",
                "lambda-gp",
                "lambda-id",
                "g-ema-beta",
                "batch-size",
                "num-iters",
                "num-iters-decay",
                "g-lr",
                "d-lr",
                "n-critic",
                "beta1",
                "beta2",
                "log-step",
                "sample-step",
                "model-save-step",
                "lr-update-step",
                "num-workers"));
        return Set.copyOf(known);
    }

    /**
     * A validated job.
     *
     * @param config training configuration
     * @param data the (first) dataset's training split
     * @param second the second dataset of a joint run, or null
     * @param outputs where and how often it writes
     */
    public record Prepared(TrainConfig config, LabeledImages data, LabeledImages second, TrainingRun.Outputs outputs) {}

    /**
     * Parses and checks {@code args} (train options, kebab-case, no output directories) against the data, writing
     * under {@code outputDir}; fails with {@link IllegalArgumentException} naming the option and the value.
     */
    public static Prepared prepare(List<String> args, Path outputDir) throws IOException {
        try {
            Options o = Options.parse("train", args, OPTIONS, Set.of());
            LabeledImages data = DataOptions.open(o, CelebAImages.Split.TRAIN);
            boolean both = DataOptions.dataset(o).equals("both");
            LabeledImages second = both ? DataOptions.openSecond(o) : null;
            TrainConfig config = TrainCommand.config(
                            o,
                            data.domains().size(),
                            data.singleLabel() ? LabelMode.SINGLE_LABEL : LabelMode.MULTI_LABEL)
                    .withSecondDataset(both ? second.domains().size() : 0);
            TrainingRun.Outputs outputs = new TrainingRun.Outputs(
                    o.positiveInt("log-step", 10),
                    o.positiveInt("sample-step", 1000),
                    o.positiveInt("model-save-step", 10000),
                    outputDir.resolve("logs"),
                    outputDir.resolve("samples"),
                    outputDir.resolve("models"),
                    DataOptions.datasetName(o),
                    // Absent: sized for the trainer's device by the run.
                    o.flag("num-workers") ? o.positiveInt("num-workers", 2) : 0);
            return new Prepared(config, data, second, outputs);
        } catch (Options.UsageException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }
}
