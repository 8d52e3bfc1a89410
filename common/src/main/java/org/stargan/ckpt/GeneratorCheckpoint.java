package org.stargan.ckpt;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.stargan.nn.Generator;
import org.stargan.nn.GeneratorConfig;

/**
 * A generator's weights with their architecture and model information, read from an official PyTorch checkpoint
 * ({@code *-G.ckpt}, zip or legacy) or from this project's safetensors format.
 *
 * @param config the architecture (read off the weights)
 * @param weights learnable tensors under the official keys, in the official order
 * @param info names of the domains etc. ({@link ModelInfo#unknown()} for official files)
 * @param format {@code safetensors}, {@code torch}
 */
public record GeneratorCheckpoint(
        GeneratorConfig config, Map<String, HostTensor> weights, ModelInfo info, String format) {

    /** Reads a generator checkpoint in any supported format, validating every key and shape. */
    public static GeneratorCheckpoint load(Path path) throws IOException {
        String source = path.getFileName().toString();
        if (!java.nio.file.Files.isRegularFile(path)) {
            throw new CheckpointFormatException(path + ": no such file");
        }
        if (SafeTensors.looksLike(path)) {
            SafeTensors.Contents c = SafeTensors.read(path);
            GeneratorConfig config = StateDicts.inferGenerator(c.tensors(), source);
            Map<String, HostTensor> weights =
                    StateDicts.validate(c.tensors(), Generator.parameterShapes(config), source);
            return new GeneratorCheckpoint(
                    config, weights, ModelInfo.fromMetadata(c.metadata(), source), "safetensors");
        }
        Map<String, HostTensor> sd = TorchCheckpointReader.read(path);
        GeneratorConfig config = StateDicts.inferGenerator(sd, source);
        Map<String, HostTensor> weights = StateDicts.validate(sd, Generator.parameterShapes(config), source);
        return new GeneratorCheckpoint(config, weights, ModelInfo.unknown(), "torch");
    }

    /** Writes this project's format: safetensors with the official keys and the model information as metadata. */
    public void save(Path path) throws IOException {
        Map<String, String> meta = new LinkedHashMap<>(info.toMetadata());
        meta.put("stargan.network", "generator");
        meta.put("stargan.conv_dim", Integer.toString(config.convDim()));
        meta.put("stargan.c_dim", Integer.toString(config.cDim()));
        meta.put("stargan.repeat_num", Integer.toString(config.repeatNum()));
        SafeTensors.write(path, weights, meta);
    }

    /** Copies the weights into {@code generator}, whose architecture must match. */
    public void loadInto(Generator generator) {
        if (!generator.config().equals(config)) {
            throw new IllegalArgumentException(
                    "checkpoint architecture " + config + " differs from the generator's " + generator.config());
        }
        Map<String, float[]> values = new LinkedHashMap<>();
        Map<String, long[]> shapes = new LinkedHashMap<>();
        weights.forEach((k, t) -> {
            values.put(k, t.values());
            shapes.put(k, t.shape());
        });
        generator.parameters().load(values, shapes, "checkpoint");
    }

    /** The weights of {@code generator} with {@code info}, ready to save. */
    public static GeneratorCheckpoint of(Generator generator, ModelInfo info) {
        return new GeneratorCheckpoint(
                generator.config(),
                hostTensors(generator.parameters().toFloatArrays(), Generator.parameterShapes(generator.config())),
                info,
                "safetensors");
    }

    static Map<String, HostTensor> hostTensors(Map<String, float[]> values, Map<String, long[]> shapes) {
        Map<String, HostTensor> out = new LinkedHashMap<>();
        values.forEach((k, v) -> out.put(k, new HostTensor(shapes.get(k), v)));
        return out;
    }
}
