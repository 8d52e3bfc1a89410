package org.stargan.infer;

import ai.djl.ndarray.types.DataType;
import java.util.Locale;

/**
 * The element type a {@link Translator} computes in. Weights are converted once when the model loads; images and
 * labels are copied in as float32 and converted on the device; the output is converted back to float32.
 *
 * <p>Reduced precision is for GPUs, where fp16 convolutions run on tensor cores at several times the float32 rate. The
 * error it costs is measured on this project's demo model ({@code TranslatorPrecisionTest}, on the CPU): against
 * float32, fp16 moved output pixels (range [−1, 1]) by at most 0.0025 and by 0.0002 on average; the test allows 0.01 and
 * 0.001.
 *
 * <p>bfloat16 is not offered: DJL 0.36's PyTorch bridge has no bfloat16 (its native code maps DJL's types 0–8 and aborts
 * the whole process on any other, so even creating a bfloat16 tensor kills the JVM).
 */
public enum Precision {
    /** float32: the reference; the CPU's default. */
    FP32(DataType.FLOAT32),
    /** float16: an 11-bit mantissa, range up to 65504 (StarGAN's activations stay far below it). */
    FP16(DataType.FLOAT16);

    private final DataType dataType;

    Precision(DataType dataType) {
        this.dataType = dataType;
    }

    /** The element type of weights and activations. */
    public DataType dataType() {
        return dataType;
    }

    /** The command-line name: fp32, bf16, fp16. */
    public String cliName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * Parses {@code fp32} or {@code fp16}; the exception names {@code --precision}, the value, and for {@code bf16} why
     * it is not offered.
     */
    public static Precision parse(String value) {
        String v = value == null ? "" : value.trim().toLowerCase(Locale.ROOT);
        for (Precision p : values()) {
            if (p.cliName().equals(v)) {
                return p;
            }
        }
        if (v.equals("bf16")) {
            throw new IllegalArgumentException("--precision: 'bf16' is not available: DJL 0.36's PyTorch bridge has no"
                    + " bfloat16 (it aborts the process on the type); use fp16, which runs on the same tensor cores");
        }
        throw new IllegalArgumentException("--precision: '" + value + "', expected fp32 or fp16");
    }
}
