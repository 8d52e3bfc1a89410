package org.stargan.ckpt;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;
import org.stargan.nn.Discriminator;
import org.stargan.nn.DiscriminatorConfig;
import org.stargan.nn.Generator;
import org.stargan.nn.GeneratorConfig;

/**
 * Official StarGAN state dicts: the architecture read off the tensor shapes, and every key checked against it, so a
 * file that does not fit is refused with the key, the expected and the found shape.
 */
public final class StateDicts {
    private static final Pattern RESIDUAL = Pattern.compile("main\\.\\d+\\.main\\.0\\.weight");
    private static final Pattern D_CONV = Pattern.compile("main\\.\\d+\\.weight");

    private StateDicts() {}

    /** Infers {@code conv_dim}, {@code c_dim} and {@code repeat_num} of a generator state dict and validates it. */
    public static GeneratorConfig inferGenerator(Map<String, HostTensor> stateDict, String source) {
        Map<String, HostTensor> sd = withoutModulePrefix(stateDict);
        HostTensor first = sd.get("main.0.weight");
        if (first == null || sd.containsKey("conv1.weight")) {
            throw new CheckpointFormatException(
                    source + ": not a StarGAN generator state dict (" + describeKeys(sd) + ")");
        }
        long[] s = first.shape();
        if (s.length != 4 || s[1] < 4 || s[2] != 7 || s[3] != 7) {
            throw new CheckpointFormatException(source + ": 'main.0.weight' has shape " + first.shapeText()
                    + ", expected [conv_dim, 3 + c_dim, 7, 7]");
        }
        int repeat = (int)
                sd.keySet().stream().filter(k -> RESIDUAL.matcher(k).matches()).count();
        GeneratorConfig config = new GeneratorConfig((int) s[0], (int) s[1] - 3, repeat);
        validate(sd, Generator.parameterShapes(config), source);
        return config;
    }

    /** Infers {@code image_size}, {@code conv_dim}, {@code c_dim} and {@code repeat_num} of a discriminator state dict. */
    public static DiscriminatorConfig inferDiscriminator(Map<String, HostTensor> stateDict, String source) {
        Map<String, HostTensor> sd = withoutModulePrefix(stateDict);
        HostTensor first = sd.get("main.0.weight");
        HostTensor cls = sd.get("conv2.weight");
        if (first == null || cls == null) {
            throw new CheckpointFormatException(
                    source + ": not a StarGAN discriminator state dict (" + describeKeys(sd) + ")");
        }
        if (first.shape().length != 4 || cls.shape().length != 4) {
            throw new CheckpointFormatException(source + ": 'main.0.weight' " + first.shapeText() + " / 'conv2.weight' "
                    + cls.shapeText() + ", expected 4-D convolution weights");
        }
        int repeat = (int)
                sd.keySet().stream().filter(k -> D_CONV.matcher(k).matches()).count();
        if (repeat < 1 || repeat > 12) {
            throw new CheckpointFormatException(source + ": " + repeat + " stride-2 layers, expected 1..12");
        }
        long imageSize = cls.shape()[2] << repeat;
        DiscriminatorConfig config;
        try {
            config = new DiscriminatorConfig((int) imageSize, (int) first.shape()[0], (int) cls.shape()[0], repeat);
        } catch (IllegalArgumentException e) {
            throw new CheckpointFormatException(source + ": " + e.getMessage(), e);
        }
        validate(sd, Discriminator.parameterShapes(config), source);
        return config;
    }

    /**
     * Checks that {@code stateDict} holds exactly the learnable tensors of {@code expected} with their shapes
     * (BatchNorm-style buffers such as {@code running_mean}, {@code running_var} and {@code num_batches_tracked}
     * are ignored: the official code uses instance statistics).
     */
    public static Map<String, HostTensor> validate(
            Map<String, HostTensor> stateDict, Map<String, long[]> expected, String source) {
        Map<String, HostTensor> sd = withoutModulePrefix(stateDict);
        Map<String, HostTensor> out = new LinkedHashMap<>();
        for (Map.Entry<String, long[]> e : expected.entrySet()) {
            HostTensor t = sd.get(e.getKey());
            if (t == null) {
                throw new CheckpointFormatException(source + ": missing '" + e.getKey() + "' (expected shape "
                        + Arrays.toString(e.getValue()) + ")");
            }
            if (!Arrays.equals(t.shape(), e.getValue())) {
                throw new CheckpointFormatException(source + ": '" + e.getKey() + "' has shape " + t.shapeText()
                        + ", expected " + Arrays.toString(e.getValue()));
            }
            out.put(e.getKey(), t);
        }
        for (String key : sd.keySet()) {
            if (!expected.containsKey(key) && !isBuffer(key)) {
                throw new CheckpointFormatException(source + ": unexpected key '" + key + "' for this architecture");
            }
        }
        return out;
    }

    /** Whether {@code key} names a normalisation buffer rather than a learnable tensor. */
    public static boolean isBuffer(String key) {
        return key.endsWith(".running_mean") || key.endsWith(".running_var") || key.endsWith(".num_batches_tracked");
    }

    /** Drops a {@code module.} prefix that {@code nn.DataParallel} puts on every key. */
    static Map<String, HostTensor> withoutModulePrefix(Map<String, HostTensor> sd) {
        if (sd.isEmpty() || !sd.keySet().stream().allMatch(k -> k.startsWith("module."))) {
            return sd;
        }
        Map<String, HostTensor> out = new LinkedHashMap<>();
        sd.forEach((k, v) -> out.put(k.substring("module.".length()), v));
        return out;
    }

    private static String describeKeys(Map<String, HostTensor> sd) {
        if (sd.isEmpty()) {
            return "it holds no tensors";
        }
        return sd.size() + " keys, starting " + sd.keySet().stream().limit(4).toList();
    }
}
