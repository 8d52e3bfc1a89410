package org.stargan.data;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The CelebA dataset as the official loader reads it: the attribute file, the selected attributes in the given order,
 * a seeded shuffle of the lines, the first {@code testCount} for testing and the rest for training; images centre
 * cropped ({@code crop}, official 178) and resized.
 */
public final class CelebAImages implements LabeledImages {
    private final Path imageDir;
    private final List<String> selected;
    private final List<String> files = new ArrayList<>();
    private final List<float[]> labels = new ArrayList<>();
    private final int crop;
    private final int size;

    /** Which part of the shuffled lines. */
    public enum Split {
        TRAIN,
        TEST
    }

    /** Reads the attribute file and checks that every image of the split exists. */
    public CelebAImages(
            Path attrFile,
            Path imageDir,
            List<String> selected,
            Split split,
            int testCount,
            long seed,
            int crop,
            int size)
            throws IOException {
        if (selected.isEmpty()) {
            throw new IllegalArgumentException("--selected-attrs: empty, expected at least one attribute name");
        }
        if (!Files.isDirectory(imageDir)) {
            throw new IllegalArgumentException("--celeba-image-dir: " + imageDir + " is not a directory");
        }
        CelebAAttributes attrs = CelebAAttributes.read(attrFile);
        int[] cols = attrs.columns(selected);
        int n = attrs.files().size();
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        SplittableRandom r = new SplittableRandom(seed);
        for (int i = n - 1; i > 0; i--) {
            int j = r.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        int tests = Math.min(testCount, n);
        int from = split == Split.TEST ? 0 : tests;
        int to = split == Split.TEST ? tests : n;
        for (int k = from; k < to; k++) {
            int line = order[k];
            String file = attrs.files().get(line);
            if (!Files.isRegularFile(imageDir.resolve(file))) {
                throw new IllegalArgumentException(attrFile.getFileName() + ": image '" + file + "' (line " + (line + 3)
                        + ") not found in " + imageDir);
            }
            float[] l = new float[cols.length];
            for (int c = 0; c < cols.length; c++) {
                l[c] = attrs.values().get(line)[cols[c]] == 1 ? 1 : 0;
            }
            files.add(file);
            labels.add(l);
        }
        if (files.isEmpty()) {
            throw new IllegalArgumentException(attrFile.getFileName() + ": the "
                    + split.name().toLowerCase() + " split is empty (" + n + " images, " + tests + " for testing)");
        }
        this.imageDir = imageDir;
        this.selected = List.copyOf(selected);
        this.crop = crop;
        this.size = size;
    }

    @Override
    public int size() {
        return files.size();
    }

    @Override
    public List<String> domains() {
        return selected;
    }

    @Override
    public boolean singleLabel() {
        return false;
    }

    @Override
    public float[] label(int index) {
        return labels.get(index).clone();
    }

    @Override
    public String name(int index) {
        return files.get(index);
    }

    /** The file name of image {@code index}, relative to the image directory. */
    public String file(int index) {
        return files.get(index);
    }

    @Override
    public ImageCodec.Tensor load(int index) throws IOException {
        Path p = imageDir.resolve(files.get(index));
        return ImageCodec.toTensor(ImageCodec.decode(Files.readAllBytes(p), p.toString()), crop, size);
    }

    @Override
    public int imageSize() {
        return size;
    }
}
