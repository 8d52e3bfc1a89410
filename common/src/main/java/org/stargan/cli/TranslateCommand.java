package org.stargan.cli;

import ai.djl.Device;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.stargan.ckpt.AtomicFiles;
import org.stargan.ckpt.GeneratorCheckpoint;
import org.stargan.data.ImageCodec;
import org.stargan.device.Devices;
import org.stargan.infer.Translator;
import org.stargan.io.Npy;
import org.stargan.msg.DomainLabels;
import org.stargan.options.Option;
import org.stargan.options.OptionException;
import org.stargan.options.OptionTable;
import org.stargan.options.OptionValues;

/** {@code stargan translate}: one image or an {@code .npy} batch through a generator checkpoint. */
final class TranslateCommand {
    static final OptionTable TABLE = new OptionTable(
            "translate",
            List.of(
                    Option.path(
                            "checkpoint",
                            "PATH",
                            "generator checkpoint: this project's .safetensors (e.g. the demo's "
                                    + "deploy/models/synthetic48-G.safetensors), or an official *-G.ckpt (torch.save, "
                                    + "zip or legacy format) (required)"),
                    Option.path(
                            "input",
                            "FILE",
                            "a PNG/JPEG image, or .npy float32 (N, 3, H, W) in [-1, 1] (used as is) (required)"),
                    Option.path(
                            "output", "FILE", ".png/.jpg image, or .npy (raw generator output, float32) (required)"),
                    Option.text(
                            "target",
                            "NAME=V,...",
                            "target domains by name, e.g. Blond_Hair=1,Male=0.5 (values may be fractional; turning one "
                                    + "hair colour on turns the others off); unnamed domains keep --labels"),
                    Option.text(
                            "labels",
                            "V1,V2,...",
                            "the full label vector (required with official checkpoints unless --domains names them); "
                                    + "with --target, the vector the edits start from (default all 0)"),
                    Option.flag(
                            "all-domains",
                            "one output per domain, like the official test mode: each hair colour on in turn, every "
                                    + "other domain flipped from --labels; image output is a grid (input, then one "
                                    + "column per domain); .npy output is (N, domains, 3, H, W)"),
                    Option.names(
                            "domains", "A,B,...", "names for an official checkpoint's domains (its file carries none)"),
                    Option.integer("crop", "centre crop before resizing (CelebA's official is 178)")
                            .atLeast(1)
                            .atMost(1 << 16)
                            .defaultDescribed("the shorter side"),
                    Option.integer("image-size", "resize images to N×N, a multiple of 4")
                            .atLeast(4)
                            .atMost(4096)
                            .defaultDescribed("the model's training size, else 128"),
                    Option.integer("batch", "images per forward pass")
                            .atLeast(1)
                            .atMost(1024)
                            .byDefault(16),
                    Option.text("device", "DEVICE", "cpu, cuda or cuda:N").byDefault("cpu")));

    static final String USAGE = TABLE.help("""
            translate --checkpoint PATH --input FILE --output FILE
                      (--target NAME=V,... | --labels V1,V2,... | --all-domains) [options]""", """
            Translates one image (centre-cropped, resized to the model's size, scaled to [-1, 1]) or an .npy batch
            through a generator. Try it with the demo's model and a sample face:

              ./stargan translate --checkpoint deploy/models/synthetic48-G.safetensors \\
                  --input gateway/src/main/resources/webroot/samples/face1.png --target Blond_Hair=1 --output blond.png""");

    private TranslateCommand() {}

    static int run(List<String> args, PrintStream out, PrintStream err) throws IOException {
        if (OptionTable.asksForHelp(args)) {
            out.print(USAGE);
            return 0;
        }
        OptionValues o = TABLE.parse(args);
        Path checkpointPath = Path.of((String) o.required("checkpoint"));
        Path input = Path.of((String) o.required("input"));
        Path output = Path.of((String) o.required("output"));
        boolean all = o.flag("all-domains");
        String target = o.text("target");
        String labelsText = o.text("labels");
        if (!all && target == null && labelsText == null) {
            throw new OptionException(
                    "translate: say what to translate into: --target NAME=V,... (e.g. --target Blond_Hair=1), "
                            + "--labels V1,... or --all-domains");
        }
        if (all && target != null) {
            throw new OptionException("translate: --all-domains and --target exclude each other; give one of them");
        }
        if (!Files.isRegularFile(input)) {
            throw new OptionException("translate: --input " + input + ": no such file");
        }
        if (!Files.isRegularFile(checkpointPath)) {
            throw new OptionException("translate: --checkpoint " + checkpointPath
                    + ": no such file (the demo's model is deploy/models/synthetic48-G.safetensors)");
        }
        Device device = Devices.parseAvailable(o.text("device"));
        long started = System.nanoTime();
        GeneratorCheckpoint ckpt = GeneratorCheckpoint.load(checkpointPath);
        DomainLabels domains = domainsOf(ckpt, o.names("domains"));

        boolean npyIn = input.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".npy");
        float[] images;
        int n;
        int h;
        int w;
        if (npyIn) {
            Npy.Array a;
            try (var in = Files.newInputStream(input)) {
                a = Npy.read(in, input.getFileName().toString());
            }
            long[] s = a.shape();
            if (s.length != 4 || s[1] != 3 || s[2] % 4 != 0 || s[3] % 4 != 0 || s[0] < 1) {
                throw new OptionException("translate: --input " + input.getFileName() + " has shape "
                        + java.util.Arrays.toString(s) + ", expected (N, 3, H, W) with H and W multiples of 4");
            }
            images = a.toFloats();
            n = (int) s[0];
            h = (int) s[2];
            w = (int) s[3];
        } else {
            int size = o.integer(
                    "image-size", ckpt.info().imageSize() > 0 ? ckpt.info().imageSize() : 128);
            if (size % 4 != 0) {
                // The generator halves the image twice and doubles it back.
                throw new OptionException("translate: --image-size " + size + ", expected a multiple of 4 (e.g. "
                        + (size / 4 * 4 == 0 ? 4 : size / 4 * 4) + " or " + (size / 4 * 4 + 4) + ")");
            }
            BufferedImage img = ImageCodec.decode(
                    Files.readAllBytes(input), input.getFileName().toString());
            ImageCodec.Tensor t = ImageCodec.toTensor(img, o.integer("crop", 0), size);
            images = t.chw();
            n = 1;
            h = t.height();
            w = t.width();
        }
        float[] base = labelsText == null ? new float[domains.size()] : domains.parseVector(labelsText, "--labels");
        List<float[]> targets = all
                ? domains.allDomainTargets(base)
                : List.of(target == null ? base : domains.applyTargets(target, base, "--target"));

        List<float[]> results = new ArrayList<>();
        try (Translator translator = new Translator(ckpt, device, o.integer("batch"))) {
            for (float[] c : targets) {
                float[] labels = new float[n * c.length];
                for (int i = 0; i < n; i++) {
                    System.arraycopy(c, 0, labels, i * c.length, c.length);
                }
                results.add(translator.translate(images, n, h, w, labels));
            }
        }
        String outName = output.getFileName().toString();
        if (outName.toLowerCase(Locale.ROOT).endsWith(".npy")) {
            writeNpy(output, results, n, h, w, all);
        } else {
            ImageCodec.formatOf(outName);
            BufferedImage grid = grid(images, results, n, h, w, all);
            AtomicFiles.write(output, os -> ImageCodec.write(grid, outName, os));
        }
        err.printf(
                "translated %d image(s) into %d target(s) with %s (%s, c_dim %d, conv %d, %d residual blocks) in %.0f ms -> %s%n",
                n,
                targets.size(),
                checkpointPath.getFileName(),
                ckpt.format(),
                ckpt.config().cDim(),
                ckpt.config().convDim(),
                ckpt.config().repeatNum(),
                (System.nanoTime() - started) / 1e6,
                output);
        return 0;
    }

    private static DomainLabels domainsOf(GeneratorCheckpoint ckpt, List<String> names) {
        int cDim = ckpt.config().cDim();
        if (names != null) {
            if (names.size() != cDim) {
                throw new OptionException(
                        "translate: --domains names " + names.size() + " domains, the checkpoint has c_dim " + cDim);
            }
            return DomainLabels.withOfficialGroups(names, false);
        }
        if (!ckpt.info().domains().isEmpty()) {
            if (ckpt.info().domains().size() != cDim) {
                throw new OptionException("translate: checkpoint metadata names "
                        + ckpt.info().domains().size() + " domains but c_dim is " + cDim);
            }
            return new DomainLabels(ckpt.info().domains(), ckpt.info().exclusiveGroups());
        }
        return DomainLabels.unnamed(cDim);
    }

    private static void writeNpy(Path output, List<float[]> results, int n, int h, int w, boolean all)
            throws IOException {
        int plane = 3 * h * w;
        float[] data;
        long[] shape;
        if (all) {
            int d = results.size();
            data = new float[n * d * plane];
            for (int i = 0; i < n; i++) {
                for (int k = 0; k < d; k++) {
                    System.arraycopy(results.get(k), i * plane, data, (i * d + k) * plane, plane);
                }
            }
            shape = new long[] {n, d, 3, h, w};
        } else {
            data = results.get(0);
            shape = new long[] {n, 3, h, w};
        }
        Npy.Array array = Npy.Array.ofFloats(data, shape);
        AtomicFiles.write(output, os -> Npy.write(os, array));
    }

    /** Rows of images; with all domains, the input then one column per domain (the official test grid). */
    private static BufferedImage grid(float[] inputs, List<float[]> results, int n, int h, int w, boolean all) {
        int cols = all ? 1 + results.size() : 1;
        BufferedImage g = new BufferedImage(cols * w, n * h, BufferedImage.TYPE_INT_RGB);
        Graphics2D gfx = g.createGraphics();
        int plane = 3 * h * w;
        for (int i = 0; i < n; i++) {
            int col = 0;
            if (all) {
                gfx.drawImage(ImageCodec.toImage(inputs, i * plane, h, w), 0, i * h, null);
                col = 1;
            }
            for (float[] r : results) {
                gfx.drawImage(ImageCodec.toImage(r, i * plane, h, w), col * w, i * h, null);
                col++;
            }
        }
        gfx.dispose();
        return g;
    }
}
