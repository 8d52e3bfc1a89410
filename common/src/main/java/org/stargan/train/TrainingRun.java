package org.stargan.train;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.stargan.ckpt.AtomicFiles;
import org.stargan.ckpt.GeneratorCheckpoint;
import org.stargan.ckpt.ModelInfo;
import org.stargan.ckpt.TrainingCheckpoint;
import org.stargan.data.BatchLoader;
import org.stargan.data.ImageCodec;
import org.stargan.data.LabeledImages;
import org.stargan.msg.DomainLabels;

/**
 * A whole training run as the official {@code solver.train}: batches from the loader, one {@link StarGanTrainer}
 * iteration each, a metrics line every {@code logStep}, a sample grid every {@code sampleStep}, a model and a
 * training-state checkpoint every {@code saveStep} and at the end. Knows nothing of consoles or Kafka: progress goes
 * to a {@link Listener}, cancellation comes from a {@link BooleanSupplier}.
 */
public final class TrainingRun {
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * Where and how often the run writes.
     *
     * @param logStep iterations between metrics lines
     * @param sampleStep iterations between sample grids
     * @param saveStep iterations between checkpoints
     * @param logDir metrics.jsonl goes here
     * @param sampleDir {@code <iteration>-images.jpg} grids go here
     * @param modelDir {@code <iteration>-G.safetensors} and {@code <iteration>-state.safetensors} go here
     * @param dataset the dataset's name, recorded in checkpoints
     * @param loaderThreads image decoding threads; 0 sizes them for the device ({@link #loaderThreadsFor})
     */
    public record Outputs(
            long logStep,
            long sampleStep,
            long saveStep,
            Path logDir,
            Path sampleDir,
            Path modelDir,
            String dataset,
            int loaderThreads) {}

    /**
     * Decoding threads that keep {@code device} fed on a machine with {@code cores} cores. On the CPU the cores also
     * compute the step, so two decoders (the official default is one worker) leave them to it. A GPU leaves the cores
     * idle and steps through a batch in tens of milliseconds: all cores but the one driving the GPU decode, up to 8
     * (decoded images are cached, so beyond the first epoch they mostly wait).
     */
    public static int loaderThreadsFor(Device device, int cores) {
        return device.isGpu() ? Math.max(2, Math.min(cores - 1, 8)) : Math.min(2, Math.max(1, cores));
    }

    /** What a run reports while it goes. */
    public interface Listener {
        /** Every iteration (cheap to ignore). */
        default void iteration(
                long done, long total, double itPerSec, StepLosses losses, Map<String, Double> lastLosses) {}

        /** A metrics line was written. */
        default void logged(Map<String, Object> line) {}

        /** A sample grid was written. */
        default void sample(Path grid) {}

        /** A checkpoint was written (model and state). */
        default void checkpoint(long iteration, Path model, Path state) {}
    }

    /** How a run ended. */
    public enum End {
        DONE,
        CANCELLED
    }

    private final TrainConfig config;
    private final LabeledImages data;
    private final LabeledImages second;
    private final Outputs outputs;
    private final Device device;

    /** Prepares a run on one dataset; nothing is read or written until {@link #run}. */
    public TrainingRun(TrainConfig config, LabeledImages data, Outputs outputs, Device device) {
        this(config, data, null, outputs, device);
    }

    /**
     * Prepares a run on one dataset, or on two at once ({@code second} non-null: the official {@code train_multi},
     * alternating a batch of each per iteration, with the mask vector).
     */
    public TrainingRun(TrainConfig config, LabeledImages data, LabeledImages second, Outputs outputs, Device device) {
        if (data.domains().size() != config.cDim()) {
            throw new IllegalArgumentException("c_dim: " + config.cDim() + ", but the dataset has "
                    + data.domains().size() + " domains " + data.domains());
        }
        int c2 = second == null ? 0 : second.domains().size();
        if (config.c2Dim() != c2) {
            throw new IllegalArgumentException(
                    "c2_dim: " + config.c2Dim() + ", but the second dataset has " + c2 + " domains");
        }
        if (second != null && (!second.singleLabel() || data.singleLabel())) {
            throw new IllegalArgumentException(
                    "joint training takes a multi-label dataset first and a single-label one second");
        }
        for (LabeledImages d : second == null ? java.util.List.of(data) : java.util.List.of(data, second)) {
            if (d.imageSize() != config.imageSize()) {
                throw new IllegalArgumentException(
                        "image size: config " + config.imageSize() + ", dataset " + d.imageSize());
            }
        }
        this.config = config;
        this.data = data;
        this.second = second;
        this.outputs = outputs;
        this.device = device;
    }

    /** The domains of G's label vector, with their exclusive groups (joint runs add the two mask entries). */
    public DomainLabels labels() {
        DomainLabels first = DomainLabels.withOfficialGroups(data.domains(), data.singleLabel());
        if (second == null) {
            return first;
        }
        java.util.List<String> names = new java.util.ArrayList<>(first.names());
        names.addAll(second.domains());
        String m1 = "mask:" + outputs.dataset().split("\\+")[0];
        String m2 =
                "mask:" + (outputs.dataset().contains("+") ? outputs.dataset().split("\\+")[1] : "second");
        names.add(m1);
        names.add(m2);
        java.util.List<java.util.List<String>> groups = new java.util.ArrayList<>(first.exclusiveGroups());
        groups.add(second.domains());
        groups.add(java.util.List.of(m1, m2));
        return new DomainLabels(names, groups);
    }

    /** The model information checkpoints of this run carry. */
    public ModelInfo modelInfo(long iteration) throws IOException {
        DomainLabels d = labels();
        return new ModelInfo(
                d.names(),
                d.exclusiveGroups(),
                config.imageSize(),
                outputs.dataset(),
                iteration,
                JSON.writeValueAsString(config));
    }

    /**
     * Trains from scratch, or from the training state {@code resumeFrom} when given, until {@code numIters} or until
     * {@code cancelled} says stop (checked every iteration; a cancelled run writes no further checkpoint).
     */
    public End run(Path resumeFrom, Listener listener, BooleanSupplier cancelled) throws IOException {
        Files.createDirectories(outputs.logDir());
        Files.createDirectories(outputs.sampleDir());
        Files.createDirectories(outputs.modelDir());
        int size = config.imageSize();
        int threads = outputs.loaderThreads() > 0
                ? outputs.loaderThreads()
                : loaderThreadsFor(device, Runtime.getRuntime().availableProcessors());
        // Two batches ahead per decoder keeps every decoder busy while the step runs.
        int prefetch = Math.max(4, 2 * threads);
        try (NDManager manager = NDManager.newBaseManager(device);
                BatchLoader loader =
                        new BatchLoader(data, config.batchSize(), config.seed(), true, threads, prefetch, 2L << 30);
                BatchLoader loader2 = second == null
                        ? null
                        : new BatchLoader(
                                second, config.batchSize(), config.seed() + 1, true, threads, prefetch, 1L << 30)) {
            StarGanTrainer trainer;
            long start;
            if (resumeFrom != null) {
                TrainingCheckpoint.Restored r = TrainingCheckpoint.restore(resumeFrom, manager, config);
                String contradiction = resumeContradiction(r);
                if (contradiction != null) {
                    r.trainer().close();
                    throw new IllegalArgumentException(resumeFrom.getFileName() + ": " + contradiction);
                }
                trainer = r.trainer();
                start = r.nextIteration();
            } else {
                trainer = new StarGanTrainer(config, manager);
                start = 0;
            }
            try (trainer) {
                // The official fixed batch: the first images of the data order, unflipped, at most 8 rows.
                int fixedRows = Math.min(8, Math.min(config.batchSize(), data.size()));
                BatchLoader.Batch fixed;
                try (BatchLoader plain = new BatchLoader(data, fixedRows, config.seed(), false, 1, 1, 0)) {
                    fixed = plain.batchAt(0);
                }
                loader.seek(start);
                if (loader2 != null) {
                    loader2.seek(start);
                }
                java.util.function.Function<float[], java.util.List<float[]>> columns = columns();
                Map<String, Double> last = new LinkedHashMap<>();
                long t0 = System.nanoTime();
                long lastSaved = start;
                for (long i = start; i < config.numIters(); i++) {
                    if (cancelled.getAsBoolean()) {
                        return End.CANCELLED;
                    }
                    StepLosses l = step(
                            trainer,
                            manager,
                            loader.next(),
                            i,
                            0,
                            second == null
                                    ? StarGanTrainer.LabelSlot.whole(config)
                                    : StarGanTrainer.LabelSlot.first(config));
                    record(last, l, "");
                    if (loader2 != null) {
                        // The official train_multi: within one iteration a CelebA batch, then a RaFD batch.
                        StepLosses l2 =
                                step(trainer, manager, loader2.next(), i, 1, StarGanTrainer.LabelSlot.second(config));
                        record(last, l2, "@2");
                    }
                    long done = i + 1;
                    double itPerSec = (done - start) / Math.max(1e-9, (System.nanoTime() - t0) / 1e9);
                    listener.iteration(done, config.numIters(), itPerSec, l, last);
                    if (done % outputs.logStep() == 0) {
                        Map<String, Object> line = new LinkedHashMap<>();
                        line.put("iteration", done);
                        line.put("elapsed_s", (System.nanoTime() - t0) / 1e9);
                        line.put("it_per_s", itPerSec);
                        line.putAll(last);
                        line.put("d_lr", l.dLr());
                        line.put("g_lr", l.gLr());
                        appendLine(outputs.logDir().resolve("metrics.jsonl"), JSON.writeValueAsString(line));
                        listener.logged(line);
                    }
                    if (done % outputs.sampleStep() == 0) {
                        var grid = SampleGrid.render(
                                trainer.outputGenerator(),
                                manager,
                                columns,
                                fixed.images(),
                                fixed.labels(),
                                fixedRows,
                                size);
                        Path p = outputs.sampleDir().resolve(done + "-images.jpg");
                        AtomicFiles.write(
                                p, out -> ImageCodec.write(grid, p.getFileName().toString(), out));
                        listener.sample(p);
                    }
                    if (done % outputs.saveStep() == 0 || done == config.numIters()) {
                        save(trainer, done, listener);
                        lastSaved = done;
                    }
                }
                if (lastSaved != config.numIters() && start < config.numIters()) {
                    save(trainer, config.numIters(), listener);
                }
                return End.DONE;
            }
        }
    }

    /** Why this run cannot continue from {@code r} (its options agree with the state's), or null when it can. */
    private String resumeContradiction(TrainingCheckpoint.Restored r) {
        java.util.List<String> domains = labels().names();
        // The same number of domains in another order (or other names) would train on mislabelled batches.
        if (!r.info().domains().equals(domains)) {
            return "saved for the domains " + r.info().domains() + ", given " + domains
                    + "; expected the same domains in the same order (--selected-attrs, --dataset)";
        }
        // A state saved at num_iters itself is a finished run (a worker that stopped after its last checkpoint resumes
        // there): nothing left to do. Past num_iters the options contradict the state.
        if (r.nextIteration() > config.numIters()) {
            return "saved after iteration " + r.nextIteration() + ", past --num-iters " + config.numIters()
                    + "; expected --num-iters of at least " + r.nextIteration();
        }
        return null;
    }

    private void save(StarGanTrainer trainer, long done, Listener listener) throws IOException {
        Path model = outputs.modelDir().resolve(done + "-G.safetensors");
        Path state = outputs.modelDir().resolve(done + "-state.safetensors");
        ModelInfo info = modelInfo(done);
        GeneratorCheckpoint.of(trainer.outputGenerator(), info).save(model);
        TrainingCheckpoint.save(state, trainer, done, info);
        listener.checkpoint(done, model, state);
    }

    private StepLosses step(
            StarGanTrainer trainer,
            NDManager manager,
            BatchLoader.Batch batch,
            long i,
            int dataset,
            StarGanTrainer.LabelSlot slot) {
        int size = config.imageSize();
        try (NDManager step = manager.newSubManager()) {
            NDArray x = step.create(batch.images(), new Shape(config.batchSize(), 3, size, size));
            return trainer.iterate(
                    i, x, batch.labels(), IterationNoise.draw(config.seed() + dataset, i, config.batchSize()), slot);
        }
    }

    /**
     * The sample grid's columns for a fixed image of the first dataset: its single-domain targets (and the
     * multi-attribute ones); in a joint run those padded with zeros and the first mask, then each domain of the
     * second dataset with the second mask, as the official {@code train_multi} samples.
     */
    private java.util.function.Function<float[], java.util.List<float[]>> columns() {
        DomainLabels first = DomainLabels.withOfficialGroups(data.domains(), data.singleLabel());
        if (second == null) {
            return label -> SampleGrid.targets(first, label);
        }
        int width = config.gLabelDim();
        return label -> {
            java.util.List<float[]> out = new java.util.ArrayList<>();
            for (float[] t : SampleGrid.targets(first, label)) {
                float[] v = new float[width];
                System.arraycopy(t, 0, v, 0, t.length);
                v[config.cDim() + config.c2Dim()] = 1;
                out.add(v);
            }
            for (int k = 0; k < config.c2Dim(); k++) {
                float[] v = new float[width];
                v[config.cDim() + k] = 1;
                v[config.cDim() + config.c2Dim() + 1] = 1;
                out.add(v);
            }
            return out;
        };
    }

    private static void record(Map<String, Double> last, StepLosses l, String suffix) {
        last.put("D/loss_real" + suffix, l.dReal());
        last.put("D/loss_fake" + suffix, l.dFake());
        last.put("D/loss_cls" + suffix, l.dCls());
        last.put("D/loss_gp" + suffix, l.dGp());
        if (l.hasGeneratorStep()) {
            last.put("G/loss_fake" + suffix, l.gFake());
            last.put("G/loss_rec" + suffix, l.gRec());
            last.put("G/loss_cls" + suffix, l.gCls());
        }
        if (l.hasIdentityTerm()) {
            last.put("G/loss_id" + suffix, l.gId());
        }
    }

    private static void appendLine(Path file, String line) throws IOException {
        try (Writer w = Files.newBufferedWriter(
                file, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND)) {
            w.write(line);
            w.write('\n');
        }
    }
}
