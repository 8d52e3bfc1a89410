package org.stargan.cli;

import ai.djl.Device;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.stargan.data.CelebAImages;
import org.stargan.data.LabeledImages;
import org.stargan.train.LabelMode;
import org.stargan.train.StepLosses;
import org.stargan.train.TrainConfig;
import org.stargan.train.TrainingRun;

/** {@code stargan train}: the official training loop with the official options. */
final class TrainCommand {
    static final String USAGE = """
            usage: stargan train --dataset celeba|rafd|folder|synthetic [data options] [model and training options]

            data:
            """ + DataOptions.HELP + """

            model (official defaults): --g-conv-dim 64 --d-conv-dim 64 --g-repeat-num 6 --d-repeat-num 6
              --c-dim N (checked against the dataset's domain count)
            training: --batch-size 16 --num-iters 200000 --num-iters-decay 100000 --g-lr 0.0001 --d-lr 0.0001
              --n-critic 5 --beta1 0.5 --beta2 0.999 --lambda-cls 1 --lambda-rec 10 --lambda-gp 10
              --lambda-id 0 (not official: weight of an identity term mean|x − G(x, c_org)| in G's loss; 0 leaves
                the official objective)
              --g-ema-beta 0 (not official: keep a moving average of G's weights, ema ← β·ema + (1 − β)·G after
                every G step, as StarGAN v2 does with β 0.999; samples and <i>-G.safetensors then come from the
                average, the state keeps both; 0 keeps none)
              --resume-iters N (continue from <model-save-dir>/N-state.safetensors; only --num-iters,
                --num-iters-decay, --g-lr, --d-lr and --lr-update-step may differ from the saved run's options)
            output: --log-step 10 --sample-step 1000 --model-save-step 10000 --lr-update-step 1000
              --log-dir stargan/logs --sample-dir stargan/samples --model-save-dir stargan/models
            other: --device cpu|cuda|cuda:N --num-workers N (image decoding threads; default 2 on the CPU,
              on a GPU all cores but one, up to 8)

            Shows a progress line (iteration, it/s, ETA, losses); appends a JSON line with the seven losses (and
            G/loss_id when --lambda-id > 0) and both learning rates to <log-dir>/metrics.jsonl every log step; writes <sample-dir>/<i>-images.jpg grids and
            <model-save-dir>/<i>-G.safetensors (model) and <i>-state.safetensors (resumable state).
            """;

    /** A service job's options (data, model, training, logging) and what only the command decides: outputs, resume, device. */
    private static final Set<String> KNOWN = known();

    private TrainCommand() {}

    static int run(List<String> args, PrintStream out, PrintStream err) throws IOException {
        if (args.contains("--help") || args.contains("-h")) {
            out.print(USAGE);
            return 0;
        }
        Options o = Options.parse("train", args, KNOWN, Set.of());
        LabeledImages data = DataOptions.open(o, CelebAImages.Split.TRAIN);
        boolean both = DataOptions.dataset(o).equals("both");
        LabeledImages second = both ? DataOptions.openSecond(o) : null;
        int cDim = data.domains().size();
        if (o.string("c-dim", null) != null && o.positiveInt("c-dim", cDim) != cDim) {
            throw new Options.UsageException("train: --c-dim " + o.string("c-dim", "") + ", but the dataset has " + cDim
                    + " domains " + data.domains());
        }
        TrainConfig config = config(o, cDim, data.singleLabel() ? LabelMode.SINGLE_LABEL : LabelMode.MULTI_LABEL)
                .withSecondDataset(both ? second.domains().size() : 0);
        Device device = Devices.parseAvailable(o.string("device", "cpu"));
        TrainingRun.Outputs outputs = new TrainingRun.Outputs(
                o.positiveInt("log-step", 10),
                o.positiveInt("sample-step", 1000),
                o.positiveInt("model-save-step", 10000),
                Path.of(o.string("log-dir", "stargan/logs")),
                Path.of(o.string("sample-dir", "stargan/samples")),
                Path.of(o.string("model-save-dir", "stargan/models")),
                DataOptions.datasetName(o),
                o.positiveInt(
                        "num-workers",
                        TrainingRun.loaderThreadsFor(
                                device, Runtime.getRuntime().availableProcessors())));
        Path resume = null;
        if (o.string("resume-iters", null) != null) {
            resume = outputs.modelDir().resolve(o.positiveInt("resume-iters", 1) + "-state.safetensors");
            if (!Files.isRegularFile(resume)) {
                throw new Options.UsageException("train: --resume-iters: " + resume + " not found");
            }
        }
        if (both) {
            err.printf(
                    "joint training: %d images with domains %s, %d images with domains %s (mask vector)%n",
                    data.size(), data.domains(), second.size(), second.domains());
        }
        err.printf(
                "training on %d images of %s, domains %s, %d px, G conv %d × %d blocks, D conv %d × %d layers, batch %d, %d iterations%n",
                data.size(),
                outputs.dataset(),
                data.domains(),
                config.imageSize(),
                config.gConvDim(),
                config.gRepeatNum(),
                config.dConvDim(),
                config.dRepeatNum(),
                config.batchSize(),
                config.numIters());
        ProgressLine progress = new ProgressLine(err);
        TrainingRun.End end = new TrainingRun(config, data, second, outputs, device).run(resume, progress, () -> false);
        progress.finish();
        err.printf(
                "%s; checkpoints in %s, samples in %s, metrics in %s%n",
                end == TrainingRun.End.DONE ? "done" : "cancelled",
                outputs.modelDir(),
                outputs.sampleDir(),
                outputs.logDir().resolve("metrics.jsonl"));
        return 0;
    }

    private static Set<String> known() {
        Set<String> known = new HashSet<>(TrainingJobs.OPTIONS);
        known.addAll(List.of("resume-iters", "log-dir", "sample-dir", "model-save-dir", "device"));
        return Set.copyOf(known);
    }

    static TrainConfig config(Options o, int cDim, LabelMode mode) {
        TrainConfig d = TrainConfig.official();
        try {
            // Parsed in the constructor's order, so the first bad option is the one reported; num-iters once, since
            // the default decay is capped by it.
            int imageSize = o.positiveInt("image-size", d.imageSize());
            int gConvDim = o.positiveInt("g-conv-dim", d.gConvDim());
            int dConvDim = o.positiveInt("d-conv-dim", d.dConvDim());
            int gRepeatNum = o.nonNegativeInt("g-repeat-num", d.gRepeatNum());
            int dRepeatNum = o.positiveInt("d-repeat-num", d.dRepeatNum());
            double lambdaCls = o.nonNegativeNumber("lambda-cls", d.lambdaCls());
            double lambdaRec = o.nonNegativeNumber("lambda-rec", d.lambdaRec());
            double lambdaGp = o.nonNegativeNumber("lambda-gp", d.lambdaGp());
            int batchSize = o.positiveInt("batch-size", d.batchSize());
            int numIters = o.positiveInt("num-iters", (int) d.numIters());
            int numItersDecay = o.nonNegativeInt("num-iters-decay", (int) Math.min(d.numItersDecay(), numIters));
            double gLr = o.nonNegativeNumber("g-lr", d.gLr());
            double dLr = o.nonNegativeNumber("d-lr", d.dLr());
            int nCritic = o.positiveInt("n-critic", d.nCritic());
            double beta1 = o.fractionBelowOne("beta1", d.beta1());
            double beta2 = o.fractionBelowOne("beta2", d.beta2());
            int lrUpdateStep = o.positiveInt("lr-update-step", (int) d.lrUpdateStep());
            long seed = DataOptions.seed(o);
            double lambdaId = o.nonNegativeNumber("lambda-id", d.lambdaId());
            double gEmaBeta = o.fractionBelowOne("g-ema-beta", d.gEmaBeta());
            return new TrainConfig(
                    cDim,
                    imageSize,
                    gConvDim,
                    dConvDim,
                    gRepeatNum,
                    dRepeatNum,
                    lambdaCls,
                    lambdaRec,
                    lambdaGp,
                    batchSize,
                    numIters,
                    numItersDecay,
                    gLr,
                    dLr,
                    nCritic,
                    beta1,
                    beta2,
                    lrUpdateStep,
                    mode,
                    seed,
                    0,
                    lambdaId,
                    gEmaBeta);
        } catch (IllegalArgumentException e) {
            throw new Options.UsageException("train: " + e.getMessage());
        }
    }

    /** The one-line progress display: iteration, speed, ETA and the latest losses, redrawn at most 4 times a second. */
    static final class ProgressLine implements TrainingRun.Listener {
        private final PrintStream err;
        private long lastDraw;
        private boolean drawn;

        ProgressLine(PrintStream err) {
            this.err = err;
        }

        @Override
        public void iteration(long done, long total, double itPerSec, StepLosses losses, Map<String, Double> last) {
            long now = System.nanoTime();
            if (now - lastDraw < 250_000_000L && done != total) {
                return;
            }
            lastDraw = now;
            long eta = itPerSec > 0 ? (long) ((total - done) / itPerSec) : 0;
            StringBuilder sb = new StringBuilder(String.format(
                    "\r[%d/%d] %.1f it/s ETA %02d:%02d:%02d",
                    done, total, itPerSec, eta / 3600, eta / 60 % 60, eta % 60));
            last.forEach((k, v) -> sb.append(String.format(" %s %.3f", k.replace("/loss_", "/"), v)));
            err.print(sb);
            drawn = true;
        }

        @Override
        public void checkpoint(long iteration, Path model, Path state) {
            err.printf("%n  checkpoint %s%n", model);
        }

        void finish() {
            if (drawn) {
                err.println();
            }
        }
    }
}
