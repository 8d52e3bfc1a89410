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
import org.stargan.data.DomainLabels;
import org.stargan.data.ImageCodec;
import org.stargan.data.LabeledImages;

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
     * @param loaderThreads image decoding threads
     */
    public record Outputs(long logStep, long sampleStep, long saveStep, Path logDir, Path sampleDir, Path modelDir, String dataset,
            int loaderThreads) {}

    /** What a run reports while it goes. */
    public interface Listener {
        /** Every iteration (cheap to ignore). */
        default void iteration(long done, long total, double itPerSec, StepLosses losses, Map<String, Double> lastLosses) { }

        /** A metrics line was written. */
        default void logged(Map<String, Object> line) { }

        /** A sample grid was written. */
        default void sample(Path grid) { }

        /** A checkpoint was written (model and state). */
        default void checkpoint(long iteration, Path model, Path state) { }
    }

    /** How a run ended. */
    public enum End { DONE, CANCELLED }

    private final TrainConfig config;
    private final LabeledImages data;
    private final Outputs outputs;
    private final Device device;

    /** Prepares a run; nothing is read or written until {@link #run}. */
    public TrainingRun(TrainConfig config, LabeledImages data, Outputs outputs, Device device) {
        if (data.domains().size() != config.cDim()) {
            throw new IllegalArgumentException("c_dim: " + config.cDim() + ", but the dataset has " + data.domains().size()
                    + " domains " + data.domains());
        }
        if (data.imageSize() != config.imageSize()) {
            throw new IllegalArgumentException("image size: config " + config.imageSize() + ", dataset " + data.imageSize());
        }
        this.config = config;
        this.data = data;
        this.outputs = outputs;
        this.device = device;
    }

    /** The model information checkpoints of this run carry. */
    public ModelInfo modelInfo(long iteration) throws IOException {
        DomainLabels d = DomainLabels.withOfficialGroups(data.domains(), data.singleLabel());
        return new ModelInfo(d.names(), d.exclusiveGroups(), config.imageSize(), outputs.dataset(), iteration, JSON.writeValueAsString(config));
    }

    /**
     * Trains from scratch, or from the training state {@code resumeFrom} when given, until {@code numIters} or until
     * {@code cancelled} says stop (checked every iteration; a cancelled run writes no further checkpoint).
     */
    public End run(Path resumeFrom, Listener listener, BooleanSupplier cancelled) throws IOException {
        Files.createDirectories(outputs.logDir());
        Files.createDirectories(outputs.sampleDir());
        Files.createDirectories(outputs.modelDir());
        DomainLabels domains = DomainLabels.withOfficialGroups(data.domains(), data.singleLabel());
        int size = config.imageSize();
        try (NDManager manager = NDManager.newBaseManager(device);
                BatchLoader loader = new BatchLoader(data, config.batchSize(), config.seed(), true, outputs.loaderThreads(), 4, 2L << 30)) {
            StarGanTrainer trainer;
            long start;
            if (resumeFrom != null) {
                TrainingCheckpoint.Restored r = TrainingCheckpoint.restore(resumeFrom, manager);
                if (!r.trainer().config().equals(config)) {
                    r.trainer().close();
                    throw new IllegalArgumentException(resumeFrom.getFileName() + ": saved with another training configuration "
                            + r.trainer().config() + "; resume with the same options");
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
                Map<String, Double> last = new LinkedHashMap<>();
                long t0 = System.nanoTime();
                long lastSaved = start;
                for (long i = start; i < config.numIters(); i++) {
                    if (cancelled.getAsBoolean()) {
                        return End.CANCELLED;
                    }
                    BatchLoader.Batch batch = loader.next();
                    StepLosses l;
                    try (NDManager step = manager.newSubManager()) {
                        NDArray x = step.create(batch.images(), new Shape(config.batchSize(), 3, size, size));
                        l = trainer.iterate(i, x, batch.labels(), IterationNoise.draw(config.seed(), i, config.batchSize()));
                    }
                    record(last, l);
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
                        var grid = SampleGrid.render(trainer.generator(), manager, domains, fixed.images(), fixed.labels(), fixedRows, size);
                        Path p = outputs.sampleDir().resolve(done + "-images.jpg");
                        AtomicFiles.write(p, out -> ImageCodec.write(grid, p.getFileName().toString(), out));
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

    private void save(StarGanTrainer trainer, long done, Listener listener) throws IOException {
        Path model = outputs.modelDir().resolve(done + "-G.safetensors");
        Path state = outputs.modelDir().resolve(done + "-state.safetensors");
        ModelInfo info = modelInfo(done);
        GeneratorCheckpoint.of(trainer.generator(), info).save(model);
        TrainingCheckpoint.save(state, trainer, done, info);
        listener.checkpoint(done, model, state);
    }

    private static void record(Map<String, Double> last, StepLosses l) {
        last.put("D/loss_real", l.dReal());
        last.put("D/loss_fake", l.dFake());
        last.put("D/loss_cls", l.dCls());
        last.put("D/loss_gp", l.dGp());
        if (l.hasGeneratorStep()) {
            last.put("G/loss_fake", l.gFake());
            last.put("G/loss_rec", l.gRec());
            last.put("G/loss_cls", l.gCls());
        }
    }

    private static void appendLine(Path file, String line) throws IOException {
        try (Writer w = Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND)) {
            w.write(line);
            w.write('\n');
        }
    }
}
