package org.stargan.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import org.stargan.data.CelebAImages;
import org.stargan.data.FolderImages;
import org.stargan.data.LabeledImages;
import org.stargan.data.SyntheticDataset;

/** The dataset options shared by train, test, eval and train-classifier, with the official names. */
final class DataOptions {
    static final Set<String> NAMES = Set.of(
            "dataset",
            "celeba-image-dir",
            "attr-path",
            "rafd-image-dir",
            "synthetic-dir",
            "selected-attrs",
            "celeba-crop-size",
            "rafd-crop-size",
            "image-size",
            "test-count",
            "seed");
    static final String HELP = """
              --dataset D            celeba, rafd (folder per expression), folder (any folder-per-domain set),
                                     synthetic (the output of `stargan synth`, read through the CelebA reader), or
                                     both (train only: CelebA-style attributes and RaFD-style folders jointly, with the
                                     mask vector; from --attr-path/--celeba-image-dir + --rafd-image-dir, or from
                                     --synthetic-dir's celeba/ and rafd/)
              --celeba-image-dir DIR, --attr-path FILE    CelebA images and list_attr_celeba.txt
              --rafd-image-dir DIR   root of the folder-per-domain images (rafd, folder)
              --synthetic-dir DIR    a directory written by `stargan synth`
              --selected-attrs A,B   attributes to train on, in label order
                                     (default Black_Hair,Blond_Hair,Brown_Hair,Male,Young)
              --celeba-crop-size N   centre crop before resizing (default 178; synthetic: none)
              --rafd-crop-size N     centre crop for folder datasets (default 256)
              --image-size N         network image size (default 128)
              --test-count N         images held out for testing, CelebA-style sets (default 2000; synthetic 10%)
              --seed S               data order, flips, initial weights and per-iteration draws (default 1234)
            """;
    static final List<String> DEFAULT_ATTRS = List.of("Black_Hair", "Blond_Hair", "Brown_Hair", "Male", "Young");

    private DataOptions() {}

    static String dataset(Options o) {
        String d = o.string("dataset", "celeba");
        if (!List.of("celeba", "rafd", "folder", "synthetic", "both").contains(d)) {
            throw new Options.UsageException("--dataset '" + d + "', expected celeba, rafd, folder, synthetic or both");
        }
        return d;
    }

    static long seed(Options o) {
        String s = o.string("seed", "1234");
        try {
            return Long.parseLong(s.trim());
        } catch (NumberFormatException e) {
            throw new Options.UsageException("--seed '" + s + "', expected an integer");
        }
    }

    /** Opens the requested split (for {@code both}: the CelebA-style half). */
    static LabeledImages open(Options o, CelebAImages.Split split) throws IOException {
        String d = dataset(o);
        if (d.equals("both")) {
            d = o.string("synthetic-dir", null) != null ? "synthetic" : "celeba";
        }
        int size = o.positiveInt("image-size", 128);
        long seed = seed(o);
        switch (d) {
            case "celeba" -> {
                return new CelebAImages(
                        path(o, "attr-path"),
                        path(o, "celeba-image-dir"),
                        attrs(o),
                        split,
                        o.nonNegativeInt("test-count", 2000),
                        seed,
                        o.positiveInt("celeba-crop-size", 178),
                        size);
            }
            case "synthetic" -> {
                Path dir = path(o, "synthetic-dir");
                Properties p = SyntheticDataset.manifest(dir);
                int count = Integer.parseInt(p.getProperty("count"));
                return new CelebAImages(
                        dir.resolve("celeba").resolve("list_attr_celeba.txt"),
                        dir.resolve("celeba").resolve("images"),
                        attrs(o),
                        split,
                        o.nonNegativeInt("test-count", Math.min(2000, Math.max(1, count / 10))),
                        seed,
                        o.positiveInt("celeba-crop-size", Integer.parseInt(p.getProperty("size"))),
                        size);
            }
            default -> {
                return new FolderImages(path(o, "rafd-image-dir"), o.positiveInt("rafd-crop-size", 256), size);
            }
        }
    }

    /** The RaFD-style half of {@code --dataset both}. */
    static LabeledImages openSecond(Options o) throws IOException {
        int size = o.positiveInt("image-size", 128);
        String synthetic = o.string("synthetic-dir", null);
        if (synthetic != null) {
            Properties p = SyntheticDataset.manifest(Path.of(synthetic));
            return new FolderImages(
                    Path.of(synthetic).resolve("rafd"),
                    o.positiveInt("rafd-crop-size", Integer.parseInt(p.getProperty("size"))),
                    size);
        }
        return new FolderImages(path(o, "rafd-image-dir"), o.positiveInt("rafd-crop-size", 256), size);
    }

    /** Name recorded in checkpoints: {@code celeba+rafd} style for joint runs. */
    static String datasetName(Options o) {
        String d = dataset(o);
        if (!d.equals("both")) {
            return d;
        }
        return (o.string("synthetic-dir", null) != null ? "synthetic" : "celeba") + "+rafd";
    }

    static List<String> attrs(Options o) {
        String v = o.string("selected-attrs", null);
        if (v == null) {
            return DEFAULT_ATTRS;
        }
        return Arrays.stream(v.split("[,\\s]+")).filter(s -> !s.isEmpty()).toList();
    }

    private static Path path(Options o, String name) {
        String v = o.string(name, null);
        if (v == null) {
            throw new Options.UsageException(
                    "--" + name + " is required for --dataset " + o.string("dataset", "celeba"));
        }
        return Path.of(v);
    }
}
