package org.stargan.trainer;

import ai.djl.Device;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.stargan.data.SyntheticDataset;
import org.stargan.msg.TrainEvent;
import org.stargan.msg.TrainRequest;
import org.stargan.options.TrainOptions;
import org.stargan.train.StepLosses;
import org.stargan.train.TrainingJob;
import org.stargan.train.TrainingRun;

/**
 * Runs one training job to its end, knowing nothing of Kafka: prepares the data (drawing synthetic faces into the
 * artifact store when asked), resumes from the job's latest training state if an earlier attempt left one, trains,
 * and reports everything as {@link TrainEvent}s to a sink.
 */
public final class TrainingJobRunner {
    /** How a job ended. */
    public enum Outcome {
        DONE,
        FAILED,
        CANCELLED
    }

    private final TrainerConfig config;
    private final ArtifactStore store;

    /** A runner for one trainer's settings, keeping artifacts in {@code store}. */
    public TrainingJobRunner(TrainerConfig config, ArtifactStore store) {
        this.config = config;
        this.store = store;
    }

    /** The directory of a job's outputs. */
    public Path jobDir(String jobId) {
        return store.jobDirectory(jobId);
    }

    /**
     * Runs {@code request}; {@code events} receives its events in order; {@code onCheckpoint} is told (iteration,
     * published model URI) for each checkpoint once the store has it.
     */
    public Outcome run(
            TrainRequest request,
            Consumer<TrainEvent> events,
            java.util.function.BiConsumer<Long, java.net.URI> onCheckpoint,
            BooleanSupplier cancelled) {
        String job = request.jobId();
        try {
            Map<String, String> options = new LinkedHashMap<>(request.options());
            if (!request.synthetic().isEmpty()) {
                options.put("synthetic-dir", synthetic(request).toString());
                options.putIfAbsent("dataset", "synthetic");
            }
            for (String k : List.of("attr-path", "celeba-image-dir", "rafd-image-dir")) {
                if (options.containsKey(k)) {
                    options.put(
                            k,
                            new DataRoot(Path.of(config.dataRoot()))
                                    .resolve(options.get(k), "options." + k)
                                    .toString());
                }
            }
            Path dir = jobDir(job);
            TrainingJob p = TrainingJob.prepare(
                    TrainOptions.TABLE.parse(options),
                    dir.resolve("logs"),
                    dir.resolve("samples"),
                    dir.resolve("models"));
            Path resume = latestState(p.outputs().modelDir());
            TrainingRun run = new TrainingRun(p.config(), p.data(), p.second(), p.outputs(), device());
            if (resume != null) {
                long from = Long.parseLong(resume.getFileName().toString().split("-")[0]);
                events.accept(event(
                        job,
                        TrainEvent.Type.RESUMED,
                        from,
                        Map.of("state", resume.toUri().toString())));
            } else {
                events.accept(event(
                        job,
                        TrainEvent.Type.RUNNING,
                        0,
                        Map.of(
                                "images",
                                p.data().size(),
                                "domains",
                                p.data().domains(),
                                "num_iters",
                                p.config().numIters())));
            }
            TrainingRun.End end = run.run(
                    resume,
                    new TrainingRun.Listener() {
                        @Override
                        public void logged(Map<String, Object> line) {
                            Map<String, Object> d = new LinkedHashMap<>(line);
                            double itPerSec = ((Number) line.get("it_per_s")).doubleValue();
                            long done = ((Number) line.get("iteration")).longValue();
                            d.put("eta_s", itPerSec > 0 ? (p.config().numIters() - done) / itPerSec : null);
                            events.accept(event(job, TrainEvent.Type.LOG, done, d));
                        }

                        @Override
                        public void sample(Path grid) {
                            long it =
                                    Long.parseLong(grid.getFileName().toString().split("-")[0]);
                            events.accept(event(job, TrainEvent.Type.SAMPLE, it, Map.of("uri", publish(job, grid))));
                        }

                        @Override
                        public void checkpoint(long iteration, Path model, Path state) {
                            String modelUri = publish(job, model);
                            String stateUri = publish(job, state);
                            onCheckpoint.accept(iteration, java.net.URI.create(modelUri));
                            events.accept(event(
                                    job,
                                    TrainEvent.Type.CHECKPOINT,
                                    iteration,
                                    Map.of(
                                            "model_uri",
                                            modelUri,
                                            "state_uri",
                                            stateUri,
                                            "version",
                                            job + "-" + iteration)));
                        }

                        @Override
                        public void iteration(
                                long done, long total, double itPerSec, StepLosses losses, Map<String, Double> last) {
                            TrainerMetrics.progress(job, done, itPerSec, last, losses.dLr());
                        }
                    },
                    cancelled);
            if (end == TrainingRun.End.CANCELLED) {
                events.accept(event(job, TrainEvent.Type.CANCELLED, 0, Map.of()));
                return Outcome.CANCELLED;
            }
            events.accept(event(
                    job,
                    TrainEvent.Type.DONE,
                    p.config().numIters(),
                    Map.of("model_dir", p.outputs().modelDir().toUri().toString())));
            return Outcome.DONE;
        } catch (Exception | Error e) {
            String reason = e.getMessage() == null ? e.toString() : e.getMessage();
            events.accept(event(job, TrainEvent.Type.FAILED, 0, Map.of("reason", reason)));
            return Outcome.FAILED;
        }
    }

    private String publish(String job, Path file) {
        try {
            return store.publish(job, file).toString();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("publishing " + file + " to the artifact store failed", e);
        }
    }

    private Path synthetic(TrainRequest r) throws IOException {
        int count = r.synthetic().getOrDefault("count", 1000);
        int size = r.synthetic().getOrDefault("size", 32);
        int seed = r.synthetic().getOrDefault("seed", 1234);
        if (count < 10 || count > 1_000_000 || size < 16 || size > 512) {
            throw new IllegalArgumentException(
                    "synthetic: count " + count + " (expected 10..1000000), size " + size + " (expected 16..512)");
        }
        Path dir =
                Path.of(config.artifactRoot()).resolve("data").resolve("synthetic-" + count + "-" + size + "-" + seed);
        if (!Files.exists(dir.resolve(SyntheticDataset.MANIFEST))) {
            // Drawn in a scratch directory and renamed: a trainer that dies mid-way never leaves a half-written set.
            Path scratch = Files.createTempDirectory(
                    dir.getParent() == null ? Path.of(".") : Files.createDirectories(dir.getParent()), "drawing-");
            SyntheticDataset.write(scratch, count, size, seed, n -> {});
            try {
                Files.move(scratch, dir, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            } catch (IOException e) {
                if (!Files.exists(dir.resolve(SyntheticDataset.MANIFEST))) {
                    throw e;
                }
            }
        }
        return dir;
    }

    /** The newest {@code <n>-state.safetensors} in {@code modelDir}, or null. */
    static Path latestState(Path modelDir) throws IOException {
        if (!Files.isDirectory(modelDir)) {
            return null;
        }
        try (Stream<Path> s = Files.list(modelDir)) {
            return s.filter(p -> p.getFileName().toString().matches("\\d+-state\\.safetensors"))
                    .max(java.util.Comparator.comparingLong(
                            p -> Long.parseLong(p.getFileName().toString().split("-")[0])))
                    .orElse(null);
        }
    }

    private Device device() {
        return org.stargan.device.Devices.parse(config.device());
    }

    private TrainEvent event(String job, TrainEvent.Type type, long iteration, Map<String, Object> data) {
        return new TrainEvent(job, type, iteration, config.workerId(), data, System.currentTimeMillis());
    }
}
