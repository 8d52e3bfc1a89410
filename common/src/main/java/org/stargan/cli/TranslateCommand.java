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
import org.stargan.msg.PhotoOptions;
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
                            "target domains by name, e.g. Blond_Hair=1,Male=0.5 (values 0..1, fractions blend; names match in "
                                    + "any case; turning one hair colour on turns the others off); unnamed domains keep --labels"),
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
                    Option.text(
                                    "crop",
                                    "MODE",
                                    "what the model sees of a PNG/JPEG photo: face (each face found, aligned as "
                                            + "CelebA's faces were: eyes level, at CelebA's positions and scale), center "
                                            + "(the centre square) or none (the whole image squeezed to a square); a "
                                            + "number N centre-crops N×N pixels (CelebA's official loader: 178)")
                            .defaultDescribed("center"),
                    Option.flag(
                            "paste",
                            "paste the translation back into the photo (feathered edges) and write the photo at its "
                                    + "own size; the output's format is the output file's, a JPEG keeps the input "
                                    + "JPEG's EXIF block (orientation included)"),
                    Option.choice(
                                    "faces",
                                    List.of("largest", "all"),
                                    "with --crop face: the largest face, or all (at most 8; one row each without "
                                            + "--paste)")
                            .defaultDescribed("largest"),
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
            Translates one image (cropped as --crop says, resized to the model's size, scaled to [-1, 1]) or an .npy
            batch through a generator; with --paste, writes the photo with the translation pasted back. Try it with the demo's model and a sample face:

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
        float[] base = labelsText == null ? new float[domains.size()] : domains.parseVector(labelsText, "--labels");
        List<float[]> targets = all
                ? domains.allDomainTargets(base)
                : List.of(target == null ? base : domains.applyTargets(target, base, "--target"));
        PhotoOptions photo = photoOptions(o);
        if (photo != null) {
            if (npyIn) {
                throw new OptionException("translate: --crop " + photo.crop().wire() + (photo.paste() ? " --paste" : "")
                        + " needs a PNG or JPEG photo, not " + input.getFileName());
            }
            int size = imageSize(o, ckpt);
            int crops;
            try (Translator translator = new Translator(ckpt, device, o.integer("batch"))) {
                crops = TranslatePhoto.run(input, output, photo, size, translator, targets, err);
            }
            report(err, crops, targets.size(), checkpointPath, ckpt, started, output);
            return 0;
        }
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
            int size = imageSize(o, ckpt);
            BufferedImage img = ImageCodec.decode(
                    Files.readAllBytes(input), input.getFileName().toString());
            // A numeric --crop is the centre crop's side; "center" (or nothing) is the shorter side.
            String crop = o.text("crop");
            ImageCodec.Tensor t = ImageCodec.toTensor(img, centreCrop(crop), size);
            images = t.chw();
            n = 1;
            h = t.height();
            w = t.width();
        }

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
        writeResults(output, images, results, n, h, w, all);
        report(err, n, targets.size(), checkpointPath, ckpt, started, output);
        return 0;
    }

    /**
     * The photo options, or null for the plain path (a numeric or absent {@code --crop} without {@code --paste}:
     * the centre crop, as before photos were handled).
     */
    private static PhotoOptions photoOptions(OptionValues o) {
        String crop = o.text("crop");
        boolean numeric = crop != null && crop.trim().matches("\\d+");
        boolean paste = o.flag("paste");
        String faces = o.text("faces");
        if (numeric) {
            if (paste || faces != null) {
                throw new OptionException("translate: --crop " + crop
                        + " is the plain centre crop; --paste and --faces need --crop face, center or none");
            }
            return null;
        }
        PhotoOptions.Crop mode;
        PhotoOptions.Faces which;
        try {
            mode = crop == null ? PhotoOptions.Crop.CENTER : PhotoOptions.Crop.parse(crop, "--crop");
            which = faces == null ? PhotoOptions.Faces.LARGEST : PhotoOptions.Faces.parse(faces, "--faces");
        } catch (IllegalArgumentException e) {
            throw new OptionException("translate: " + e.getMessage());
        }
        if (faces != null && mode != PhotoOptions.Crop.FACE) {
            throw new OptionException("translate: --faces " + faces + " needs --crop face");
        }
        PhotoOptions options = new PhotoOptions(mode, paste, which);
        return options.equals(PhotoOptions.DEFAULT) ? null : options;
    }

    private static int imageSize(OptionValues o, GeneratorCheckpoint ckpt) {
        int size = o.integer(
                "image-size", ckpt.info().imageSize() > 0 ? ckpt.info().imageSize() : 128);
        if (size % 4 != 0) {
            // The generator halves the image twice and doubles it back.
            throw new OptionException("translate: --image-size " + size + ", expected a multiple of 4 (e.g. "
                    + (size / 4 * 4 == 0 ? 4 : size / 4 * 4) + " or " + (size / 4 * 4 + 4) + ")");
        }
        return size;
    }

    /** The side of a numeric {@code --crop}; 0 (the shorter side) for none or {@code center}. */
    private static int centreCrop(String crop) {
        if (crop == null || crop.equals("center")) {
            return 0;
        }
        try {
            int side = Integer.parseInt(crop.trim());
            if (side >= 1) {
                return side;
            }
        } catch (NumberFormatException e) {
            // named below
        }
        throw new OptionException("translate: --crop " + crop + ", expected face, center, none or a side in pixels");
    }

    /** Writes translations as the output's extension says: {@code .npy} raw outputs, else an image grid. */
    static void writeResults(Path output, float[] images, List<float[]> results, int n, int h, int w, boolean all)
            throws IOException {
        String outName = output.getFileName().toString();
        if (outName.toLowerCase(Locale.ROOT).endsWith(".npy")) {
            writeNpy(output, results, n, h, w, all);
        } else {
            ImageCodec.formatOf(outName);
            BufferedImage grid = grid(images, results, n, h, w, all);
            AtomicFiles.write(output, os -> ImageCodec.write(grid, outName, os));
        }
    }

    private static void report(
            PrintStream err,
            int n,
            int targets,
            Path checkpointPath,
            GeneratorCheckpoint ckpt,
            long started,
            Path output) {
        err.printf(
                "translated %d image(s) into %d target(s) with %s (%s, c_dim %d, conv %d, %d residual blocks) in %.0f ms -> %s%n",
                n,
                targets,
                checkpointPath.getFileName(),
                ckpt.format(),
                ckpt.config().cDim(),
                ckpt.config().convDim(),
                ckpt.config().repeatNum(),
                (System.nanoTime() - started) / 1e6,
                output);
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
