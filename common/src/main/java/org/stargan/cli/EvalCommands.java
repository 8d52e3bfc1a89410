package org.stargan.cli;

import ai.djl.Device;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.stargan.ckpt.AtomicFiles;
import org.stargan.ckpt.GeneratorCheckpoint;
import org.stargan.data.CelebAImages;
import org.stargan.data.Datasets;
import org.stargan.data.ImageCodec;
import org.stargan.data.LabeledImages;
import org.stargan.device.Devices;
import org.stargan.eval.AttributeClassifier;
import org.stargan.eval.TranslationEvaluation;
import org.stargan.msg.DomainLabels;
import org.stargan.nn.DiscriminatorConfig;
import org.stargan.options.Option;
import org.stargan.options.OptionException;
import org.stargan.options.OptionTable;
import org.stargan.options.OptionValues;
import org.stargan.options.TrainOptions;

/** {@code stargan train-classifier}, {@code eval} and {@code test}: measuring and showing a trained generator. */
final class EvalCommands {
    private static final Option DEVICE =
            Option.text("device", "DEVICE", "cpu, cuda or cuda:N").byDefault("cpu");

    static final OptionTable CLASSIFIER = new OptionTable(
            "train-classifier",
            with(
                    Option.path("output", "FILE", "where the classifier is saved (required)"),
                    Option.integer("conv-dim", "first-layer channels")
                            .atLeast(1)
                            .atMost(1024)
                            .byDefault(32),
                    Option.integer("repeat-num", "stride-2 layers")
                            .atLeast(1)
                            .atMost(10)
                            .defaultDescribed("4, fewer for images under 16 px"),
                    Option.integer("batch-size", "images per iteration")
                            .atLeast(1)
                            .atMost(1024)
                            .byDefault(32),
                    Option.integer("num-iters", "iterations").atLeast(1).byDefault(2000),
                    DEVICE));
    static final OptionTable EVAL = new OptionTable(
            "eval",
            with(
                    Option.path("checkpoint", "G", "the generator to measure (required)"),
                    Option.path("classifier", "FILE", "the judge from `stargan train-classifier` (required)"),
                    Option.integer("limit", "test images to use at most").atLeast(1),
                    DEVICE));
    static final OptionTable TEST = new OptionTable(
            "test",
            with(
                    Option.path("checkpoint", "G", "the generator (required)"),
                    Option.path("result-dir", "DIR", "where the grids go").byDefault("runs/results"),
                    Option.integer("batch-size", "images per grid")
                            .atLeast(1)
                            .atMost(1024)
                            .byDefault(16),
                    DEVICE));

    static final String CLASSIFIER_USAGE =
            CLASSIFIER.help("train-classifier --dataset ... [data options] --output FILE [options]", """
            Trains the judge used by `eval`: StarGAN's discriminator architecture trained with the domain
            classification loss alone, on the real training images; prints its accuracy on the real test images.""");
    static final String EVAL_USAGE =
            EVAL.help("eval --checkpoint G --classifier FILE --dataset ... [data options] [--limit N]", """
            Translates every test image into every domain and prints one JSON object: the classifier's accuracy on real
            test images, target-domain accuracy of the translations, reconstruction L1, and for --dataset synthetic the
            L1 and PSNR to the true rendering of each translation (and the untranslated input's L1 to it), per domain
            and overall. Images are read at the generator's training size unless --image-size says otherwise.""");
    static final String TEST_USAGE =
            TEST.help("test --checkpoint G --dataset ... [data options] [--result-dir DIR] [--batch-size N]", """
            The official test mode: the test split translated into every domain, one grid per batch
            (<result-dir>/<n>-images.jpg: input, then one column per domain). Images are read at the generator's
            training size unless --image-size says otherwise.""");

    private EvalCommands() {}

    static int trainClassifier(List<String> args, PrintStream out, PrintStream err) throws IOException {
        if (OptionTable.asksForHelp(args)) {
            out.print(CLASSIFIER_USAGE);
            return 0;
        }
        OptionValues o = CLASSIFIER.parse(args);
        String output = (String) o.required("output");
        Datasets.refuseBoth(o);
        LabeledImages train = Datasets.open(o, CelebAImages.Split.TRAIN);
        LabeledImages test = Datasets.open(o, CelebAImages.Split.TEST);
        int size = train.imageSize();
        int repeat = o.integer(
                "repeat-num", Integer.numberOfTrailingZeros(size) >= 4 ? 4 : Integer.numberOfTrailingZeros(size));
        DiscriminatorConfig config;
        try {
            config = new DiscriminatorConfig(
                    size, o.integer("conv-dim"), train.domains().size(), repeat);
        } catch (IllegalArgumentException e) {
            throw new OptionException("train-classifier: --image-size " + size + " with --repeat-num " + repeat
                    + ": the image size must be a multiple of 2^" + repeat + " = " + (1 << repeat)
                    + "; use --repeat-num "
                    + Math.max(1, Math.min(Integer.numberOfTrailingZeros(size), 10)) + " or another --image-size");
        }
        int iters = o.integer("num-iters");
        Device device = Devices.parseAvailable(o.text("device"));
        long t0 = System.nanoTime();
        try (AttributeClassifier c = AttributeClassifier.train(
                train, config, o.integer("batch-size"), iters, Datasets.seed(o), device, done -> {
                    if (done % 20 == 0 || done == iters) {
                        err.printf("\rtrain-classifier: %d/%d", done, iters);
                    }
                })) {
            err.println();
            c.save(Path.of(output));
            int n = test.size();
            int plane = 3 * size * size;
            long[] correct = new long[train.domains().size()];
            for (int start = 0; start < n; start += 64) {
                int b = Math.min(64, n - start);
                float[] x = new float[b * plane];
                for (int i = 0; i < b; i++) {
                    System.arraycopy(test.load(start + i).chw(), 0, x, i * plane, plane);
                }
                float[][] p = c.predict(x, b);
                for (int i = 0; i < b; i++) {
                    float[] l = test.label(start + i);
                    for (int k = 0; k < l.length; k++) {
                        correct[k] += p[i][k] == l[k] ? 1 : 0;
                    }
                }
            }
            Map<String, Object> report = new java.util.LinkedHashMap<>();
            long total = 0;
            for (long v : correct) {
                total += v;
            }
            report.put("classifier", output);
            report.put("test_images", n);
            report.put("accuracy_on_real_test", (double) total / ((double) n * correct.length));
            for (int k = 0; k < correct.length; k++) {
                report.put("accuracy_" + train.domains().get(k), (double) correct[k] / n);
            }
            report.put("train_seconds", (System.nanoTime() - t0) / 1e9);
            out.println(Json.write(report));
        }
        return 0;
    }

    static int eval(List<String> args, PrintStream out, PrintStream err) throws IOException {
        if (OptionTable.asksForHelp(args)) {
            out.print(EVAL_USAGE);
            return 0;
        }
        OptionValues o = EVAL.parse(args);
        String ckpt = o.text("checkpoint");
        String cls = o.text("classifier");
        if (ckpt == null || cls == null) {
            throw new OptionException(
                    "eval: --checkpoint and --classifier are required (train one with `stargan train-classifier`)");
        }
        Datasets.refuseBoth(o);
        GeneratorCheckpoint generator = GeneratorCheckpoint.load(Path.of(ckpt));
        Device device = Devices.parseAvailable(o.text("device"));
        try (org.stargan.infer.Translator g = new org.stargan.infer.Translator(generator, device, 32);
                AttributeClassifier judge = AttributeClassifier.load(Path.of(cls), device)) {
            int size = imageSize(o, generator, ckpt);
            if (judge.imageSize() != size) {
                // The judge only reads images of the size it was trained at; another size would give wrong numbers.
                throw new OptionException("eval: --classifier " + cls + " judges " + judge.imageSize()
                        + " px images, the generator is evaluated at " + size + " px; train a classifier at "
                        + size + " px (./stargan train-classifier --image-size " + size + " ...)");
            }
            LabeledImages test = Datasets.open(o, CelebAImages.Split.TEST, size);
            Path synthetic = Datasets.dataset(o).equals("synthetic") ? Path.of(o.text("synthetic-dir")) : null;
            long t0 = System.nanoTime();
            int limit = o.integer("limit", Integer.MAX_VALUE);
            int n = Math.min(limit, test.size());
            Map<String, Object> report = TranslationEvaluation.run(
                    g, judge, test, synthetic, limit, done -> err.printf("\reval: %d/%d test images", done, n));
            err.println();
            Map<String, Object> full = new java.util.LinkedHashMap<>();
            full.put("checkpoint", ckpt);
            full.put("dataset", Datasets.dataset(o));
            full.putAll(report);
            full.put("eval_seconds", (System.nanoTime() - t0) / 1e9);
            out.println(Json.write(full));
        }
        return 0;
    }

    static int test(List<String> args, PrintStream out, PrintStream err) throws IOException {
        if (OptionTable.asksForHelp(args)) {
            out.print(TEST_USAGE);
            return 0;
        }
        OptionValues o = TEST.parse(args);
        String ckpt = (String) o.required("checkpoint");
        Datasets.refuseBoth(o);
        GeneratorCheckpoint generator = GeneratorCheckpoint.load(Path.of(ckpt));
        LabeledImages test = Datasets.open(o, CelebAImages.Split.TEST, imageSize(o, generator, ckpt));
        DomainLabels domains = DomainLabels.withOfficialGroups(test.domains(), test.singleLabel());
        Path dir = OutputDirectories.create(o, "result-dir");
        int b = o.integer("batch-size");
        int s = test.imageSize();
        int plane = 3 * s * s;
        int d = domains.size();
        try (org.stargan.infer.Translator g =
                new org.stargan.infer.Translator(generator, Devices.parseAvailable(o.text("device")), b)) {
            int grids = 0;
            for (int start = 0; start < test.size(); start += b) {
                int n = Math.min(b, test.size() - start);
                float[] x = new float[n * plane];
                float[][] labels = new float[n][];
                for (int i = 0; i < n; i++) {
                    System.arraycopy(test.load(start + i).chw(), 0, x, i * plane, plane);
                    labels[i] = test.label(start + i);
                }
                BufferedImage grid = new BufferedImage((1 + d) * s, n * s, BufferedImage.TYPE_INT_RGB);
                var gfx = grid.createGraphics();
                for (int i = 0; i < n; i++) {
                    gfx.drawImage(ImageCodec.toImage(x, i * plane, s, s), 0, i * s, null);
                }
                for (int k = 0; k < d; k++) {
                    float[] c = new float[n * d];
                    for (int i = 0; i < n; i++) {
                        System.arraycopy(domains.allDomainTargets(labels[i]).get(k), 0, c, i * d, d);
                    }
                    float[] y = g.translate(x, n, s, s, c);
                    for (int i = 0; i < n; i++) {
                        gfx.drawImage(ImageCodec.toImage(y, i * plane, s, s), (k + 1) * s, i * s, null);
                    }
                }
                gfx.dispose();
                Path p = dir.resolve((++grids) + "-images.jpg");
                AtomicFiles.write(
                        p, os -> ImageCodec.write(grid, p.getFileName().toString(), os));
                err.printf("\rtest: %d/%d images", start + n, test.size());
            }
            err.printf("%nwrote %d grids to %s%n", grids, dir);
        }
        return 0;
    }

    /**
     * The size test images are read at: {@code --image-size} when given, else the size the generator was trained at
     * (its metadata), else the official 128. A generator runs at any size, but translates well only at its own: a
     * size given that differs from the checkpoint's is refused, naming both.
     */
    private static int imageSize(OptionValues o, GeneratorCheckpoint generator, String ckpt) {
        int trained = generator.info().imageSize();
        if (!o.has("image-size")) {
            return trained > 0 ? trained : 128;
        }
        int given = o.integer("image-size");
        if (trained > 0 && given != trained) {
            throw new OptionException(o.table().command() + ": --image-size " + given + ", but " + ckpt
                    + " was trained at " + trained + " px; leave --image-size out to use the checkpoint's size");
        }
        return given;
    }

    /** The data options, then {@code extra}. */
    private static List<Option> with(Option... extra) {
        List<Option> all = new ArrayList<>(TrainOptions.dataOptions());
        all.addAll(List.of(extra));
        return all;
    }
}
