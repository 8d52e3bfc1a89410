package org.stargan.train;

import java.io.IOException;
import java.nio.file.Path;
import org.stargan.data.CelebAImages;
import org.stargan.data.Datasets;
import org.stargan.data.LabeledImages;
import org.stargan.options.OptionException;
import org.stargan.options.OptionValues;
import org.stargan.options.TrainOptions;

/**
 * A training run made ready from {@link TrainOptions} values — the same for {@code ./stargan train} and for the trainer
 * service's jobs: the data opened, the configuration checked against it, where and how often it writes.
 *
 * @param config training configuration
 * @param data the (first) dataset's training split
 * @param second the second dataset of a joint run, or null
 * @param outputs where and how often it writes
 */
public record TrainingJob(TrainConfig config, LabeledImages data, LabeledImages second, TrainingRun.Outputs outputs) {
    /**
     * Opens the data and checks the options against it; an {@link OptionException} names the option and the value.
     *
     * @param logDir where metrics.jsonl goes
     * @param sampleDir where sample grids go
     * @param modelDir where checkpoints go
     */
    public static TrainingJob prepare(OptionValues o, Path logDir, Path sampleDir, Path modelDir) throws IOException {
        // The options alone, checked before any data is read: a wrong combination (say --image-size 32 with the
        // default --d-repeat-num 6) is reported at once, not after the dataset has been opened.
        try {
            int domains = o.names("selected-attrs").size();
            TrainConfig.fromOptions(o, domains, LabelMode.MULTI_LABEL, 0);
        } catch (IllegalArgumentException e) {
            throw new OptionException(o.table().command() + ": " + e.getMessage());
        }
        LabeledImages data = Datasets.open(o, CelebAImages.Split.TRAIN);
        boolean both = Datasets.dataset(o).equals("both");
        LabeledImages second = both ? Datasets.openSecond(o) : null;
        int cDim = data.domains().size();
        if (o.has("c-dim") && o.integer("c-dim") != cDim) {
            throw new OptionException(o.table().command() + ": --c-dim " + o.integer("c-dim") + ", but the dataset has "
                    + cDim + " domains " + data.domains());
        }
        TrainConfig config;
        try {
            config = TrainConfig.fromOptions(
                    o,
                    cDim,
                    data.singleLabel() ? LabelMode.SINGLE_LABEL : LabelMode.MULTI_LABEL,
                    both ? second.domains().size() : 0);
        } catch (IllegalArgumentException e) {
            throw new OptionException(o.table().command() + ": " + e.getMessage());
        }
        TrainingRun.Outputs outputs = new TrainingRun.Outputs(
                o.integer("log-step"),
                o.integer("sample-step"),
                o.integer("model-save-step"),
                logDir,
                sampleDir,
                modelDir,
                Datasets.datasetName(o),
                // Absent: the run sizes its decoders for the device it trains on.
                o.integer("num-workers", 0));
        return new TrainingJob(config, data, second, outputs);
    }
}
