package org.stargan.data;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Properties;
import org.stargan.options.OptionException;
import org.stargan.options.OptionValues;

/**
 * Opens the dataset that the data options of {@link org.stargan.options.TrainOptions#DATA} describe (train, test,
 * eval, train-classifier and the trainer service's jobs all read them the same way).
 */
public final class Datasets {
    private Datasets() {}

    /**
     * The {@code --dataset} asked for. Left out, it is the official default (celeba) — unless the only data option
     * given is {@code --synthetic-dir}, which names a synthetic set and nothing else.
     */
    public static String dataset(OptionValues o) {
        if (!o.has("dataset")
                && o.has("synthetic-dir")
                && !o.has("attr-path")
                && !o.has("celeba-image-dir")
                && !o.has("rafd-image-dir")) {
            return "synthetic";
        }
        return o.text("dataset");
    }

    /** The seed of the data order (and of everything else seeded). */
    public static long seed(OptionValues o) {
        return o.wholeNumber("seed");
    }

    /** Opens the requested split (for {@code both}: the CelebA-style half) at {@code --image-size}. */
    public static LabeledImages open(OptionValues o, CelebAImages.Split split) throws IOException {
        return open(o, split, o.integer("image-size"));
    }

    /** Opens the requested split (for {@code both}: the CelebA-style half) with images of {@code size} pixels. */
    public static LabeledImages open(OptionValues o, CelebAImages.Split split, int size) throws IOException {
        String d = dataset(o);
        if (d.equals("both")) {
            d = o.has("synthetic-dir") ? "synthetic" : "celeba";
        }
        long seed = seed(o);
        switch (d) {
            case "celeba" -> {
                return new CelebAImages(
                        path(o, "attr-path"),
                        path(o, "celeba-image-dir"),
                        o.names("selected-attrs"),
                        split,
                        o.integer("test-count", 2000),
                        seed,
                        o.integer("celeba-crop-size", 178),
                        size);
            }
            case "synthetic" -> {
                Path dir = path(o, "synthetic-dir");
                Properties p = SyntheticDataset.manifest(dir);
                int count = Integer.parseInt(p.getProperty("count"));
                return new CelebAImages(
                        dir.resolve("celeba").resolve("list_attr_celeba.txt"),
                        dir.resolve("celeba").resolve("images"),
                        o.names("selected-attrs"),
                        split,
                        o.integer("test-count", Math.min(2000, Math.max(1, count / 10))),
                        seed,
                        o.integer("celeba-crop-size", Integer.parseInt(p.getProperty("size"))),
                        size);
            }
            default -> {
                return new FolderImages(path(o, "rafd-image-dir"), o.integer("rafd-crop-size", 256), size);
            }
        }
    }

    /** The RaFD-style half of {@code --dataset both}. */
    public static LabeledImages openSecond(OptionValues o) throws IOException {
        int size = o.integer("image-size");
        if (o.has("synthetic-dir")) {
            Path synthetic = path(o, "synthetic-dir");
            Properties p = SyntheticDataset.manifest(synthetic);
            return new FolderImages(
                    synthetic.resolve("rafd"),
                    o.integer("rafd-crop-size", Integer.parseInt(p.getProperty("size"))),
                    size);
        }
        return new FolderImages(path(o, "rafd-image-dir"), o.integer("rafd-crop-size", 256), size);
    }

    /** Name recorded in checkpoints: {@code celeba+rafd} style for joint runs. */
    public static String datasetName(OptionValues o) {
        String d = dataset(o);
        if (!d.equals("both")) {
            return d;
        }
        return (o.has("synthetic-dir") ? "synthetic" : "celeba") + "+rafd";
    }

    /** Refuses {@code --dataset both} for a command that reads one dataset. */
    public static void refuseBoth(OptionValues o) {
        if (dataset(o).equals("both")) {
            throw new OptionException(
                    o.table().command() + ": --dataset both is for training; evaluate each dataset on its own");
        }
    }

    private static Path path(OptionValues o, String name) {
        String v = o.text(name);
        if (v == null) {
            String d = dataset(o);
            String command = o.table().command();
            if (!o.has("dataset")) {
                // The user named no dataset: say which one the default is and how to pick the one they meant.
                String other = o.has("rafd-image-dir")
                        ? "; for the folder given with --rafd-image-dir add --dataset rafd (or folder)"
                        : "; or pick another with --dataset (rafd, folder, synthetic, both)";
                throw new OptionException(command + ": --dataset " + d + " (the default) needs --" + name + other);
            }
            throw new OptionException(command + ": --dataset " + d + " needs --" + name + " ("
                    + o.table().option(name).help() + ")");
        }
        return Path.of(v);
    }
}
