package org.stargan.cli;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.stargan.bench.BenchConfig;
import org.stargan.bench.GeneratorForwardBench;
import org.stargan.bench.TrainStepBench;
import org.stargan.data.Datasets;
import org.stargan.device.Devices;
import org.stargan.options.Option;
import org.stargan.options.OptionTable;
import org.stargan.options.OptionValues;
import org.stargan.options.TrainOptions;

/**
 * {@code stargan bench g-forward|train-step}: times the Java implementation and, with {@code --reference}, the same
 * work in PyTorch eager on the same machine in the same run, and prints one JSON object on the last line.
 */
final class BenchCommand {
    static final String USAGE = """
            usage: stargan bench g-forward  [--config paper|small] [--batch B] [options]
                   stargan bench train-step [--config small|paper] [--batch B] [options]
                   stargan bench loader     --dataset ... [data options] [--batch B] [--threads T] [--batches N]
                   stargan bench face       [--photo FILE] [--eyes LX,LY,RX,RY] [--face X0,Y0,X1,Y1] [--iters N]
                   stargan bench serve      [--config paper|small] [--requests N] [--concurrency C] [--batch B]
                   stargan bench gateway    [--concurrency C] [--duration-s S | --requests N] [--batch B] [--help]

            g-forward   G's forward pass (inference); reports ms_per_image (median over timed batches / batch)
            train-step  training iterations (official losses, gradient penalty, Adam); reports the medians
                        d_step_ms (iteration with a D update only) and d_plus_g_ms (D update then G update)
            loader      the training data loader without its cache (decode, crop, resize, flip on T threads with a
                        bounded prefetch queue); reports images_per_s
            face        a photo's work around the generator: face and eye detection, CelebA alignment, paste-back
                        (default photo: the skimage astronaut, 512×512, from Debian's python3-skimage) on one
                        thread; reports the medians detect_ms, align_ms, paste_ms, total_ms (wall clock) and the
                        same as *_cpu_ms (the thread's CPU time; --size S crop side, default 128); with a
                        person's marks (--eyes: eye centres, --face: the face's extent) also the eye positions' error
                        after alignment and the box's overlap with the face
            serve       requests through a local broker and one inference worker; see README
            gateway     HTTP load from a separate JVM through gateway, Kafka and a worker, next to the worker over
                        Kafka alone and the bare generator; see README

            configs: small = 32 px, conv 16, G repeat 2, D repeat 5; paper = 128 px, conv 64, repeat 6 (c_dim 5)

            options:
              --batch B        images per batch (default 1 for g-forward, 8 for train-step)
              --warmup N       untimed repetitions first (default 3)
              --iters N        timed repetitions (default 10; train-step times N of each kind)
              --device D       cpu, cuda or cuda:N (default cpu; a GPU needs a CUDA libtorch: README, GPUs)
              --precision P    g-forward only: fp32 (default) or fp16 (weights and inputs converted once)
              --reference      also run the same work with PyTorch eager (common/python/bench_reference.py, needs
                               python3 with torch: apt-get install python3-torch) and report java/reference ratios
              --python PATH    interpreter for --reference (default: $STARGAN_PYTHON, else python3 with torch)

            The last line printed is a JSON object, e.g. {"ms_per_image": 80.1, ...}.
            """;

    private BenchCommand() {}

    static int run(List<String> args, PrintStream out, PrintStream err) throws IOException, InterruptedException {
        if (args.isEmpty() || args.contains("--help") || args.contains("-h")) {
            out.print(USAGE);
            return args.isEmpty() ? 2 : 0;
        }
        String what = args.get(0);
        if (what.equals("loader")) {
            return loader(args.subList(1, args.size()), out, err);
        }
        if (what.equals("face")) {
            return face(args.subList(1, args.size()), out);
        }
        if (!what.equals("g-forward") && !what.equals("train-step")) {
            throw new Options.UsageException("bench: unknown benchmark '" + what
                    + "', expected g-forward, train-step, loader, face, serve or gateway");
        }
        Options o = Options.parse(
                "bench " + what,
                args.subList(1, args.size()),
                Set.of("config", "batch", "warmup", "iters", "device", "python", "precision"),
                Set.of("reference"));
        boolean forward = what.equals("g-forward");
        BenchConfig config = BenchConfig.parse(o.string("config", forward ? "paper" : "small"));
        int batch = o.positiveInt("batch", forward ? 1 : 8);
        int warmup = o.nonNegativeInt("warmup", 3);
        int iters = o.positiveInt("iters", 10);
        String deviceName = o.string("device", "cpu");
        org.stargan.infer.Precision precision;
        try {
            precision = org.stargan.infer.Precision.parse(o.string("precision", "fp32"));
        } catch (IllegalArgumentException e) {
            throw new Options.UsageException("bench " + what + ": " + e.getMessage());
        }
        if (!forward && precision != org.stargan.infer.Precision.FP32) {
            throw new Options.UsageException("bench train-step: --precision " + precision.cliName()
                    + ", but training runs in fp32 only; --precision is for g-forward");
        }
        Device device = Devices.parseAvailable(deviceName);

        Map<String, Object> result = new LinkedHashMap<>();
        try (NDManager manager = NDManager.newBaseManager(device)) {
            err.println(org.stargan.device.DeviceReport.describe(device).logLine());
            result.putAll(
                    forward
                            ? GeneratorForwardBench.run(
                                    manager, config, batch, warmup, iters, precision.dataType(), err)
                            : TrainStepBench.run(manager, config, batch, warmup, iters, err));
        }
        result.put("device", deviceName);
        if (o.flag("reference")) {
            Map<String, Object> ref = runReference(o.string("python", null), what, config, batch, warmup, iters, err);
            for (String key : forward ? List.of("ms_per_image") : List.of("d_step_ms", "d_plus_g_ms")) {
                double java = ((Number) result.get(key)).doubleValue();
                double torch = ((Number) ref.get(key)).doubleValue();
                result.put("reference_" + key, torch);
                result.put("ratio_" + key, java / torch);
            }
            result.put("reference_torch", ref.get("torch"));
            result.put("reference_threads", ref.get("threads"));
        }
        out.println(Json.write(result));
        return 0;
    }

    /** {@code bench loader}: the data options and how to load. */
    static final OptionTable LOADER = TrainOptions.DATA_TABLE.with(
            "bench loader",
            List.of(
                    Option.integer("batch", "images per batch")
                            .atLeast(1)
                            .atMost(1024)
                            .byDefault(16),
                    Option.integer("threads", "decoding threads")
                            .atLeast(1)
                            .atMost(64)
                            .byDefault(2),
                    Option.integer("batches", "batches timed").atLeast(1).byDefault(50)));

    private static int face(List<String> args, PrintStream out) throws IOException {
        Options o =
                Options.parse("bench face", args, Set.of("photo", "size", "warmup", "iters", "eyes", "face"), Set.of());
        Path photo = Path.of(o.string("photo", "/usr/lib/python3/dist-packages/skimage/data/astronaut.png"));
        if (!Files.isRegularFile(photo)) {
            throw new Options.UsageException("bench face: --photo " + photo
                    + ": no such file (the default comes with Debian's python3-skimage)");
        }
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("photo", photo.getFileName().toString());
        r.putAll(org.stargan.bench.FaceBench.run(
                org.stargan.face.Photo.decode(Files.readAllBytes(photo), photo.toString()),
                o.positiveInt("size", 128),
                o.nonNegativeInt("warmup", 5),
                o.positiveInt("iters", 50),
                new org.stargan.bench.FaceBench.Marks(numbers(o, "eyes", 4), numbers(o, "face", 4))));
        r.put("opencv", org.stargan.face.OpenCvNative.version());
        out.printf(
                "%s %s×%s, one thread: detection %s ms + alignment %s ms + paste-back %s ms = %s ms wall clock"
                        + " (p90 %s), %s ms CPU (p90 %s); medians of %s%n",
                r.get("photo"),
                r.get("width"),
                r.get("height"),
                r.get("detect_ms"),
                r.get("align_ms"),
                r.get("paste_ms"),
                r.get("total_ms"),
                r.get("total_ms_p90"),
                r.get("total_cpu_ms"),
                r.get("total_cpu_ms_p90"),
                r.get("iterations"));
        out.println(Json.write(r));
        return 0;
    }

    private static double[] numbers(Options o, String name, int count) {
        String v = o.string(name, null);
        if (v == null) {
            return null;
        }
        String[] parts = v.split(",");
        double[] d = new double[parts.length];
        try {
            for (int i = 0; i < parts.length; i++) {
                d[i] = Double.parseDouble(parts[i].trim());
            }
        } catch (NumberFormatException e) {
            d = new double[0];
        }
        if (d.length != count) {
            throw new Options.UsageException(
                    "bench face: --" + name + " '" + v + "', expected " + count + " numbers separated by commas");
        }
        return d;
    }

    private static int loader(List<String> args, PrintStream out, PrintStream err) throws IOException {
        OptionValues o = LOADER.parse(args);
        org.stargan.data.LabeledImages data = Datasets.open(o, org.stargan.data.CelebAImages.Split.TRAIN);
        int batch = o.integer("batch");
        int threads = o.integer("threads");
        int batches = o.integer("batches");
        try (org.stargan.data.BatchLoader loader =
                new org.stargan.data.BatchLoader(data, batch, 1, true, threads, 2 * threads, 0)) {
            loader.next();
            long t0 = System.nanoTime();
            for (int i = 0; i < batches; i++) {
                loader.next();
                err.printf("\rbench loader: %d/%d batches", i + 1, batches);
            }
            double seconds = (System.nanoTime() - t0) / 1e9;
            err.println();
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("images_per_s", batches * batch / seconds);
            r.put("batch", batch);
            r.put("threads", threads);
            r.put("image_size", data.imageSize());
            r.put("dataset", Datasets.dataset(o));
            out.println(Json.write(r));
        }
        return 0;
    }

    private static Map<String, Object> runReference(
            String python, String what, BenchConfig config, int batch, int warmup, int iters, PrintStream err)
            throws IOException, InterruptedException {
        Path script = ProjectPaths.pythonDir().resolve("bench_reference.py");
        if (!Files.isRegularFile(script)) {
            throw new IllegalStateException(
                    "--reference: " + script + " not found; run from a checkout of the project");
        }
        String interpreter = python != null ? python : PythonFinder.withTorch();
        List<String> cmd = new ArrayList<>(List.of(
                interpreter,
                script.toString(),
                what,
                "--config",
                config.cliName(),
                "--batch",
                Integer.toString(batch),
                "--warmup",
                Integer.toString(warmup),
                "--iters",
                Integer.toString(iters),
                "--threads",
                Integer.toString(Integer.getInteger(
                        "ai.djl.pytorch.num_threads", Runtime.getRuntime().availableProcessors()))));
        Process p = new ProcessBuilder(cmd)
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        String last = null;
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = r.readLine()) != null; ) {
                last = line;
            }
        }
        int code = p.waitFor();
        if (code != 0 || last == null) {
            throw new IllegalStateException("--reference: " + String.join(" ", cmd) + " exited with status " + code);
        }
        return Json.readObject(last);
    }
}
