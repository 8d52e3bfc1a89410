package org.stargan.ckpt;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.stargan.nn.Discriminator;
import org.stargan.nn.Generator;
import org.stargan.nn.NamedParameters;
import org.stargan.train.Adam;
import org.stargan.train.StarGanTrainer;
import org.stargan.train.TrainConfig;

/**
 * Everything a run needs to continue exactly where it stopped: both networks (and the moving average of G's weights
 * when the run keeps one), both Adam states (moments and step counts), the training configuration (seed included)
 * and the next iteration. The learning rate and the random draws of an iteration are functions of (configuration,
 * iteration), so nothing else is needed for the resumed run to equal the uninterrupted one. One safetensors file,
 * written atomically.
 */
public final class TrainingCheckpoint {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String NEXT = "stargan.state.next_iteration";
    private static final String G_STEP = "stargan.state.g_adam_step";
    private static final String D_STEP = "stargan.state.d_adam_step";
    private static final String CONFIG = "stargan.state.train_config";
    /** The section of a state holding the moving average of G's weights (only when the run keeps one). */
    public static final String AVERAGE = "G.ema";
    /** The networks a state can hold, by section name. */
    public static final List<String> NETWORKS = List.of("G", "D", AVERAGE);

    /** A restored run. */
    public record Restored(StarGanTrainer trainer, long nextIteration, ModelInfo info) {}

    private TrainingCheckpoint() {}

    /** Saves the state of {@code trainer} after {@code nextIteration} iterations. */
    public static void save(Path path, StarGanTrainer trainer, long nextIteration, ModelInfo info) throws IOException {
        Map<String, HostTensor> tensors = new LinkedHashMap<>();
        put(tensors, "G/", trainer.generator().parameters(), null);
        put(tensors, "D/", trainer.discriminator().parameters(), null);
        if (trainer.generatorAverage() != null) {
            put(tensors, AVERAGE + "/", trainer.generatorAverage().parameters(), null);
        }
        put(
                tensors,
                "G.adam.m/",
                trainer.generator().parameters(),
                trainer.generatorOptimizer().firstMoments());
        put(
                tensors,
                "G.adam.v/",
                trainer.generator().parameters(),
                trainer.generatorOptimizer().secondMoments());
        put(
                tensors,
                "D.adam.m/",
                trainer.discriminator().parameters(),
                trainer.discriminatorOptimizer().firstMoments());
        put(
                tensors,
                "D.adam.v/",
                trainer.discriminator().parameters(),
                trainer.discriminatorOptimizer().secondMoments());
        Map<String, String> meta =
                new LinkedHashMap<>(info.atIteration(nextIteration).toMetadata());
        meta.put(NEXT, Long.toString(nextIteration));
        meta.put(G_STEP, Long.toString(trainer.generatorOptimizer().stepCount()));
        meta.put(D_STEP, Long.toString(trainer.discriminatorOptimizer().stepCount()));
        meta.put(CONFIG, JSON.writeValueAsString(trainer.config()));
        SafeTensors.write(path, tensors, meta);
    }

    /** Rebuilds the trainer saved in {@code path} under {@code manager}, with the configuration it was saved with. */
    public static Restored restore(Path path, NDManager manager) throws IOException {
        return restore(path, manager, null);
    }

    /**
     * As {@link #restore(Path, NDManager)}, continuing under {@code continueUnder} (null: the saved configuration). The
     * official code lets a resumed run change anything; here only the schedule may change ({@link
     * TrainConfig#SCHEDULE_OPTIONS}: its length and learning rates, whose value at each iteration then follows the new
     * schedule), since the rest fixes the networks' shapes, the losses, Adam's betas and the data order.
     *
     * @throws IllegalArgumentException naming each other option that differs, with both values
     */
    public static Restored restore(Path path, NDManager manager, TrainConfig continueUnder) throws IOException {
        String source = path.getFileName().toString();
        SafeTensors.Contents c = SafeTensors.read(path);
        Map<String, String> meta = c.metadata();
        for (String key : List.of(NEXT, G_STEP, D_STEP, CONFIG)) {
            if (!meta.containsKey(key)) {
                throw new CheckpointFormatException(source + ": no '" + key
                        + "' entry: not a training state (a model checkpoint cannot resume a run)");
            }
        }
        TrainConfig config;
        try {
            config = JSON.readValue(meta.get(CONFIG), TrainConfig.class);
        } catch (JsonProcessingException e) {
            throw new CheckpointFormatException(
                    source + ": bad training configuration (" + e.getOriginalMessage() + ")", e);
        }
        if (continueUnder != null) {
            List<String> differences = config.differencesOutsideSchedule(continueUnder);
            if (!differences.isEmpty()) {
                throw new IllegalArgumentException(
                        source + ": saved with other options (" + String.join(", ", differences) + "); only "
                                + String.join(", ", TrainConfig.SCHEDULE_OPTIONS) + " may change on resume");
            }
            config = continueUnder;
        }
        StarGanTrainer trainer = new StarGanTrainer(config, manager);
        try {
            load(
                    c.tensors(),
                    "G/",
                    trainer.generator().parameters(),
                    Generator.parameterShapes(config.generator()),
                    source);
            load(
                    c.tensors(),
                    "D/",
                    trainer.discriminator().parameters(),
                    Discriminator.parameterShapes(config.discriminator()),
                    source);
            if (trainer.generatorAverage() != null) {
                load(
                        c.tensors(),
                        AVERAGE + "/",
                        trainer.generatorAverage().parameters(),
                        Generator.parameterShapes(config.generator()),
                        source);
            }
            restoreAdam(
                    c.tensors(),
                    "G.adam.",
                    trainer.generatorOptimizer(),
                    Generator.parameterShapes(config.generator()),
                    Long.parseLong(meta.get(G_STEP)),
                    source);
            restoreAdam(
                    c.tensors(),
                    "D.adam.",
                    trainer.discriminatorOptimizer(),
                    Discriminator.parameterShapes(config.discriminator()),
                    Long.parseLong(meta.get(D_STEP)),
                    source);
        } catch (RuntimeException e) {
            trainer.close();
            throw e;
        }
        return new Restored(trainer, Long.parseLong(meta.get(NEXT)), ModelInfo.fromMetadata(meta, source));
    }

    private static void put(Map<String, HostTensor> out, String prefix, NamedParameters params, List<NDArray> state) {
        int i = 0;
        for (Map.Entry<String, NDArray> e : params.asMap().entrySet()) {
            NDArray t = state == null ? e.getValue() : state.get(i++);
            long[] shape = e.getValue().getShape().getShape();
            float[] values;
            if (t.getDataType() == ai.djl.ndarray.types.DataType.FLOAT32) {
                values = t.toFloatArray();
            } else {
                try (NDArray f = t.toType(ai.djl.ndarray.types.DataType.FLOAT32, true)) {
                    values = f.toFloatArray();
                }
            }
            out.put(prefix + e.getKey(), new HostTensor(shape, values));
        }
    }

    /** The tensors under {@code prefix} (e.g. {@code "G/"}) of a training state, keys without the prefix. */
    public static Map<String, HostTensor> section(Map<String, HostTensor> all, String prefix) {
        Map<String, HostTensor> out = new LinkedHashMap<>();
        all.forEach((k, v) -> {
            if (k.startsWith(prefix)) {
                out.put(k.substring(prefix.length()), v);
            }
        });
        return out;
    }

    private static void load(
            Map<String, HostTensor> all,
            String prefix,
            NamedParameters params,
            Map<String, long[]> shapes,
            String source) {
        Map<String, HostTensor> sd = StateDicts.validate(section(all, prefix), shapes, source + " [" + prefix + "]");
        Map<String, float[]> values = new LinkedHashMap<>();
        Map<String, long[]> s = new LinkedHashMap<>();
        sd.forEach((k, t) -> {
            values.put(k, t.values());
            s.put(k, t.shape());
        });
        params.load(values, s, source);
    }

    private static void restoreAdam(
            Map<String, HostTensor> all,
            String prefix,
            Adam adam,
            Map<String, long[]> shapes,
            long step,
            String source) {
        Map<String, HostTensor> m =
                StateDicts.validate(section(all, prefix + "m/"), shapes, source + " [" + prefix + "m]");
        Map<String, HostTensor> v =
                StateDicts.validate(section(all, prefix + "v/"), shapes, source + " [" + prefix + "v]");
        List<float[]> first = new ArrayList<>();
        List<float[]> second = new ArrayList<>();
        for (String key : shapes.keySet()) {
            first.add(m.get(key).values());
            second.add(v.get(key).values());
        }
        adam.restore(first, second, step);
    }
}
