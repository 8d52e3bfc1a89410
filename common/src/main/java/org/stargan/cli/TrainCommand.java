package org.stargan.cli;

import ai.djl.Device;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.stargan.device.Devices;
import org.stargan.options.OptionException;
import org.stargan.options.OptionTable;
import org.stargan.options.OptionValues;
import org.stargan.options.TrainOptions;
import org.stargan.train.StepLosses;
import org.stargan.train.TrainConfig;
import org.stargan.train.TrainingJob;
import org.stargan.train.TrainingRun;

/** {@code stargan train}: the official training loop with the official options. */
final class TrainCommand {
    static final String USAGE = TrainOptions.TABLE.help(
            "train --dataset celeba|rafd|folder|synthetic|both [data options] [model and training options]", """
            Shows a progress line (iteration, it/s, ETA, losses); appends a JSON line with the seven losses (and
            G/loss_id when --lambda-id > 0) and both learning rates to <log-dir>/metrics.jsonl every log step; writes
            <sample-dir>/<i>-images.jpg grids and <model-save-dir>/<i>-G.safetensors (model) and <i>-state.safetensors
            (resumable state). A run whose grids show the domains within minutes on 2 cores (README, "Train a small
            model"):

              ./stargan synth --out runs/faces --count 2000 --size 32
              ./stargan train --synthetic-dir runs/faces --image-size 32 --g-conv-dim 16 --d-conv-dim 16 \\
                  --g-repeat-num 2 --d-repeat-num 4 --batch-size 8 --n-critic 1 --lambda-id 10 \\
                  --g-lr 0.0002 --d-lr 0.0002 --num-iters 2000 --num-iters-decay 0 --sample-step 250""");

    private TrainCommand() {}

    static int run(List<String> args, PrintStream out, PrintStream err) throws IOException {
        if (OptionTable.asksForHelp(args)) {
            out.print(USAGE);
            return 0;
        }
        OptionValues o = TrainOptions.TABLE.parse(args);
        Device device = Devices.parseAvailable(o.text("device"));
        TrainingJob job = TrainingJob.prepare(
                o, Path.of(o.text("log-dir")), Path.of(o.text("sample-dir")), Path.of(o.text("model-save-dir")));
        // Only once the options and the data are good: a mistake leaves no empty folders behind.
        for (String dir : List.of("log-dir", "sample-dir", "model-save-dir")) {
            OutputDirectories.create(o, dir);
        }
        TrainConfig config = job.config();
        TrainingRun.Outputs outputs = job.outputs();
        Path resume = null;
        if (o.has("resume-iters")) {
            resume = outputs.modelDir().resolve(o.integer("resume-iters") + "-state.safetensors");
            if (!Files.isRegularFile(resume)) {
                throw new OptionException("train: --resume-iters: " + resume + " not found");
            }
        }
        if (job.second() != null) {
            err.printf(
                    "joint training: %d images with domains %s, %d images with domains %s (mask vector)%n",
                    job.data().size(),
                    job.data().domains(),
                    job.second().size(),
                    job.second().domains());
        }
        err.printf(
                "training on %d images of %s, domains %s, %d px, G conv %d × %d blocks, D conv %d × %d layers, batch %d, %d iterations%n",
                job.data().size(),
                outputs.dataset(),
                job.data().domains(),
                config.imageSize(),
                config.gConvDim(),
                config.gRepeatNum(),
                config.dConvDim(),
                config.dRepeatNum(),
                config.batchSize(),
                config.numIters());
        ProgressLine progress = new ProgressLine(err);
        TrainingRun.End end =
                new TrainingRun(config, job.data(), job.second(), outputs, device).run(resume, progress, () -> false);
        progress.finish();
        err.printf(
                "%s; checkpoints in %s, samples in %s, metrics in %s%n",
                end == TrainingRun.End.DONE ? "done" : "cancelled",
                outputs.modelDir(),
                outputs.sampleDir(),
                outputs.logDir().resolve("metrics.jsonl"));
        return 0;
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
