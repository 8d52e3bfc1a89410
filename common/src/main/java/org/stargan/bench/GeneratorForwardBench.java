package org.stargan.bench;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.Map;
import org.stargan.nn.Generator;
import org.stargan.nn.GeneratorConfig;
import org.stargan.nn.GradMode;

/** Times G's forward pass (inference, no autograd) on random images; reports the median per image. */
public final class GeneratorForwardBench {
    private GeneratorForwardBench() {}

    /** Runs {@code warmup} untimed and {@code iterations} timed batches; returns {@code ms_per_image} and details. */
    public static Map<String, Object> run(
            NDManager manager, BenchConfig config, int batch, int warmup, int iterations, PrintStream progress) {
        return run(manager, config, batch, warmup, iterations, DataType.FLOAT32, progress);
    }

    /** As above, computing in {@code dtype} (weights and inputs converted once, the output read back as float32). */
    public static Map<String, Object> run(
            NDManager manager,
            BenchConfig config,
            int batch,
            int warmup,
            int iterations,
            DataType dtype,
            PrintStream progress) {
        GeneratorConfig gc = new GeneratorConfig(config.convDim, 5, config.gRepeat);
        Timings t = new Timings();
        try (NDManager m = manager.newSubManager();
                Generator g = new Generator(gc, m, dtype, 1);
                GradMode ignored = GradMode.off()) {
            NDArray x = m.randomUniform(-1, 1, new Shape(batch, 3, config.imageSize, config.imageSize))
                    .toType(dtype, false);
            NDArray c = m.randomUniform(0, 1, new Shape(batch, 5)).gt(0.5).toType(dtype, false);
            for (int i = 0; i < warmup + iterations; i++) {
                try (NDManager step = m.newSubManager()) {
                    NDArray xs = x.duplicate();
                    xs.attach(step);
                    long start = System.nanoTime();
                    NDArray y = g.forward(xs, c);
                    y.toType(DataType.FLOAT32, false).toFloatArray(); // waits for the result on asynchronous devices
                    long end = System.nanoTime();
                    if (i >= warmup) {
                        t.add(start, end);
                    }
                }
                progress.printf(
                        "\rg-forward %s batch %d: %d/%d%s",
                        config.cliName(), batch, i + 1, warmup + iterations, i < warmup ? " (warm-up)" : "");
            }
            progress.println();
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("ms_per_image", t.median() / batch);
        out.put("ms_per_batch", t.median());
        out.put("batch", batch);
        out.put("dtype", dtype.toString().toLowerCase(java.util.Locale.ROOT));
        out.put("config", config.cliName());
        out.put("samples", t.count());
        return out;
    }
}
