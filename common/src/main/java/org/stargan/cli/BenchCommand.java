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
import org.stargan.bench.BenchConfig;
import org.stargan.bench.GeneratorForwardBench;
import org.stargan.bench.TrainStepBench;
import org.stargan.data.Datasets;
import org.stargan.device.Devices;
import org.stargan.options.Option;
import org.stargan.options.OptionException;
import org.stargan.options.OptionTable;
import org.stargan.options.OptionValues;
import org.stargan.options.TrainOptions;

/**
 * {@code stargan bench g-forward|train-step}: times the Java implementation and, with {@code --reference}, the same
 * work in PyTorch eager on the same machine in the same run, and prints one JSON object on the last line.
 */
final class BenchCommand {
    static final String USAGE = """
            usage: stargan bench <benchmark> [options]     (stargan bench <benchmark> --help for its options)

            benchmarks:
              g-forward   G's forward pass (inference); reports ms_per_image (median over timed batches / batch)
              train-step  training iterations (official losses, gradient penalty, Adam); reports the medians
                          d_step_ms (iteration with a D update only) and d_plus_g_ms (D update then G update)
              loader      the training data loader without its cache (decode, crop, resize, flip on T threads with a
                          bounded prefetch queue); reports images_per_s
              face        a photo's face detection, alignment and paste-back on one thread
              codec       a served request's image work on one thread: decoding, resizing, PNG encoding (this
                          project's encoder next to ImageIO's)
              serve       requests through a local broker and one inference worker
              gateway     HTTP load from a separate JVM through gateway, Kafka and a worker, next to the worker over
                          Kafka alone and the bare generator

            configs: small = 32 px, conv 16, G repeat 2, D repeat 5; paper = 128 px, conv 64, repeat 6 (c_dim 5).
            Each prints one JSON object on its last line, e.g. {"ms_per_image": 80.1, ...}.
            """;

    static final OptionTable G_FORWARD = timing("bench g-forward", "paper", 1)
            .with(
                    "bench g-forward",
                    List.of(Option.choice(
                                    "precision",
                                    List.of("fp32", "fp16"),
                                    "fp16 converts the weights and inputs once, then times the fp16 forward pass")
                            .byDefault("fp32")));
    static final OptionTable TRAIN_STEP = timing("bench train-step", "small", 8);

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

    /** {@code bench face}: which photo, the crop size, the repetitions and a person's marks to compare with. */
    static final OptionTable FACE = new OptionTable(
            "bench face",
            List.of(
                    astronautByDefault(Option.path("photo", "FILE", "the photo")),
                    Option.integer("size", "the aligned crop's side")
                            .atLeast(8)
                            .atMost(1024)
                            .byDefault(128),
                    Option.integer("warmup", "untimed repetitions first")
                            .atLeast(0)
                            .byDefault(5),
                    Option.integer("iters", "timed repetitions").atLeast(1).byDefault(50),
                    Option.text(
                            "eyes",
                            "LX,LY,RX,RY",
                            "a person's marks of the eye centres: reports the eyes' error after alignment"),
                    Option.text(
                            "face",
                            "X0,Y0,X1,Y1",
                            "a person's marks of the face's extent: reports the detected box's overlap with it")));

    /** {@code bench codec}: which image, the model's size, the repetitions. */
    static final OptionTable CODEC = new OptionTable(
            "bench codec",
            List.of(
                    astronautByDefault(Option.path("image", "FILE", "the upload, PNG or JPEG")),
                    Option.integer("size", "the model's image size")
                            .atLeast(1)
                            .atMost(1024)
                            .byDefault(128),
                    Option.number("warmup-s", "untimed seconds of all the steps in turn first")
                            .atLeast(0)
                            .atMost(3600)
                            .byDefault(15.0),
                    Option.number("seconds", "timed seconds per step")
                            .atLeast(0.01)
                            .atMost(600)
                            .byDefault(2.0)));

    private static final String ASTRONAUT = "/usr/lib/python3/dist-packages/skimage/data/astronaut.png";

    /** A photo option whose default is the skimage astronaut (bench face, bench codec). */
    private static Option astronautByDefault(Option option) {
        return option.defaultDescribed("the skimage astronaut, 512×512, from Debian's python3-skimage");
    }

    /** The file {@code --name} gives, or the astronaut; fails naming the option when it is not there. */
    private static Path photoFile(OptionValues o, String command, String name) {
        Path file = Path.of(o.text(name) == null ? ASTRONAUT : o.text(name));
        if (!Files.isRegularFile(file)) {
            throw new OptionException(command + ": --" + name + " " + file
                    + ": no such file (the default comes with Debian's python3-skimage)");
        }
        return file;
    }

    private BenchCommand() {}

    /** The options of g-forward and train-step, which differ only in their defaults. */
    private static OptionTable timing(String command, String config, int batch) {
        return new OptionTable(
                command,
                List.of(
                        Option.choice(
                                        "config",
                                        List.of("paper", "small"),
                                        "paper = 128 px, conv 64, repeat 6; small = 32 px, conv 16, G repeat 2, D "
                                                + "repeat 5 (c_dim 5)")
                                .byDefault(config),
                        Option.integer("batch", "images per batch")
                                .atLeast(1)
                                .atMost(1024)
                                .byDefault(batch),
                        Option.integer("warmup", "untimed repetitions first")
                                .atLeast(0)
                                .byDefault(3),
                        Option.integer("iters", "timed repetitions (train-step times N of each kind)")
                                .atLeast(1)
                                .byDefault(10),
                        Option.text("device", "DEVICE", "cpu, cuda or cuda:N").byDefault("cpu"),
                        Option.flag(
                                "reference",
                                "also run the same work with PyTorch eager (common/python/bench_reference.py; needs "
                                        + "python3 with torch: apt-get install python3-torch) and report "
                                        + "java/reference ratios"),
                        Option.path("python", "PATH", "interpreter for --reference")
                                .defaultDescribed("$STARGAN_PYTHON, else the first python3 with torch")));
    }

    private static String help(String what) {
        return switch (what) {
            case "g-forward" ->
                G_FORWARD.help(
                        "bench g-forward [--config paper|small] [--batch B] [options]",
                        "Times G's forward pass (inference); reports ms_per_image, the median over timed batches "
                                + "divided by the batch.");
            case "train-step" -> TRAIN_STEP.help("bench train-step [--config small|paper] [--batch B] [options]", """
                        Times training iterations (official losses, gradient penalty, Adam); reports the medians
                        d_step_ms (an iteration with a D update only) and d_plus_g_ms (D update then G update).""");
            case "face" ->
                FACE.help("bench face [--photo FILE] [--eyes LX,LY,RX,RY] [--face X0,Y0,X1,Y1] [--iters N]", """
                        Times a photo's work around the generator on one thread: face and eye detection, CelebA
                        alignment and paste-back; reports the medians detect_ms, align_ms, paste_ms, total_ms (wall
                        clock) and the same as *_cpu_ms (the thread's CPU time).""");
            case "codec" -> CODEC.help("bench codec [--image FILE] [--size 128] [--warmup-s 15] [--seconds 2]", """
                        Times on one thread the image work an inference worker does for a request around the
                        generator: decode_ms (the upload), to_tensor_ms (centre crop and resize to --size), and PNG
                        encoding of the result at --size this project's way (*_png_ms, from the tensor), the same
                        with zlib's string search wherever it compresses (*_zlib_ms: what literal coding is chosen
                        over) and with ImageIO's writer (*_imageio_ms), for the image itself (result_*) and for
                        uniform noise, what an untrained generator puts out (noise_*); then the whole image written
                        as a photo answer (photo_*). Every step in turn for --warmup-s untimed, then each one's mean
                        over --seconds, with the bytes each writes.""");
            default ->
                LOADER.help("bench loader --dataset ... [data options] [--batch B] [--threads T] [--batches N]", """
                        Times the training data loader without its cache (decode, crop, resize, flip on T threads with
                        a bounded prefetch queue); reports images_per_s.""");
        };
    }

    static int run(List<String> args, PrintStream out, PrintStream err) throws IOException, InterruptedException {
        if (args.isEmpty() || args.get(0).equals("--help") || args.get(0).equals("-h")) {
            out.print(USAGE);
            return args.isEmpty() ? 2 : 0;
        }
        String what = args.get(0);
        if (!List.of("g-forward", "train-step", "loader", "face", "codec").contains(what)) {
            String near = OptionTable.closest(
                    what, List.of("g-forward", "train-step", "loader", "face", "codec", "serve", "gateway"));
            throw new OptionException("bench: unknown benchmark '" + what + "'"
                    + (near == null ? "" : " (did you mean " + near + "?)")
                    + ", expected g-forward, train-step, loader, face, codec, serve or gateway");
        }
        List<String> rest = args.subList(1, args.size());
        if (OptionTable.asksForHelp(rest)) {
            out.print(help(what));
            return 0;
        }
        if (what.equals("loader")) {
            return loader(rest, out, err);
        }
        if (what.equals("face")) {
            return face(rest, out);
        }
        if (what.equals("codec")) {
            return codec(rest, out);
        }
        boolean forward = what.equals("g-forward");
        OptionValues o = (forward ? G_FORWARD : TRAIN_STEP).parse(rest);
        BenchConfig config = BenchConfig.parse(o.text("config"));
        int batch = o.integer("batch");
        int warmup = o.integer("warmup");
        int iters = o.integer("iters");
        String deviceName = o.text("device");
        org.stargan.infer.Precision precision =
                forward ? org.stargan.infer.Precision.parse(o.text("precision")) : org.stargan.infer.Precision.FP32;
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
            Map<String, Object> ref = runReference(o.text("python"), what, config, batch, warmup, iters, err);
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

    private static int codec(List<String> args, PrintStream out) throws IOException {
        OptionValues o = CODEC.parse(args);
        Path image = photoFile(o, "bench codec", "image");
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("image", image.getFileName().toString());
        r.putAll(org.stargan.bench.CodecBench.run(
                Files.readAllBytes(image), o.integer("size"), o.number("warmup-s"), o.number("seconds")));
        out.printf(
                "%s %s×%s at %s px, one thread: decode %s ms, crop and resize %s ms; PNG of the result %s ms (%s B),"
                        + " with zlib's string search %s ms (%s B), ImageIO %s ms (%s B); of noise %s ms (%s B),"
                        + " ImageIO %s ms (%s B); the whole photo %s ms (%s B), ImageIO %s ms (%s B)%n",
                r.get("image"),
                r.get("width"),
                r.get("height"),
                r.get("size"),
                r.get("decode_ms"),
                r.get("to_tensor_ms"),
                r.get("result_png_ms"),
                r.get("result_png_bytes"),
                r.get("result_zlib_ms"),
                r.get("result_zlib_bytes"),
                r.get("result_imageio_ms"),
                r.get("result_imageio_bytes"),
                r.get("noise_png_ms"),
                r.get("noise_png_bytes"),
                r.get("noise_imageio_ms"),
                r.get("noise_imageio_bytes"),
                r.get("photo_png_ms"),
                r.get("photo_png_bytes"),
                r.get("photo_imageio_ms"),
                r.get("photo_imageio_bytes"));
        out.println(Json.write(r));
        return 0;
    }

    private static int face(List<String> args, PrintStream out) throws IOException {
        OptionValues o = FACE.parse(args);
        Path photo = photoFile(o, "bench face", "photo");
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("photo", photo.getFileName().toString());
        r.putAll(org.stargan.bench.FaceBench.run(
                org.stargan.face.Photo.decode(Files.readAllBytes(photo), photo.toString()),
                o.integer("size"),
                o.integer("warmup"),
                o.integer("iters"),
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

    private static double[] numbers(OptionValues o, String name, int count) {
        String v = o.text(name);
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
            throw new OptionException(
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
