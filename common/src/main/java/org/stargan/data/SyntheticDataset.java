package org.stargan.data;

import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.SplittableRandom;
import javax.imageio.ImageIO;

/**
 * Writes synthetic faces in the real dataset formats: {@code celeba/list_attr_celeba.txt} + {@code celeba/images/}
 * (the 40 CelebA columns, ours filled in, the rest −1) and {@code rafd/<expression>/} folders; plus
 * {@code synthetic.properties} recording the seed and size so that every image's content seed, hence its true
 * rendering in any domain, can be recomputed ({@link #contentSeed}).
 */
public final class SyntheticDataset {
    /** File name of the recipe written next to the data. */
    public static final String MANIFEST = "synthetic.properties";

    private SyntheticDataset() {}

    /** The content seed of image {@code index} (0-based) of a set generated with {@code seed}. */
    public static long contentSeed(long seed, int index) {
        return new SplittableRandom(seed * 0x9E3779B97F4A7C15L + 0x632BE59BD9B4E019L)
                        .split()
                        .nextLong()
                ^ (index * 0xBF58476D1CE4E5B9L);
    }

    /** The attributes image {@code index} shows. */
    public static SyntheticFaces.Attributes attributes(long seed, int index) {
        return SyntheticFaces.Attributes.random(new SplittableRandom(contentSeed(seed, index) ^ 0x5DEECE66DL));
    }

    /** The file name of CelebA-style image {@code index}. */
    public static String fileName(int index) {
        return String.format("%06d.png", index + 1);
    }

    /**
     * Writes {@code count} CelebA-style faces and {@code count} RaFD-style faces (spread over the 8 expressions) of
     * {@code size} pixels under {@code dir}; {@code progress} receives the number written so far.
     */
    public static void write(Path dir, int count, int size, long seed, java.util.function.IntConsumer progress)
            throws IOException {
        Path celeba = dir.resolve("celeba");
        Path images = celeba.resolve("images");
        Files.createDirectories(images);
        List<String> files = new ArrayList<>();
        List<int[]> values = new ArrayList<>();
        int[] cols = new CelebAAttributes(CelebAAttributes.CELEBA_40, List.of(), List.of())
                .columns(SyntheticFaces.ATTRIBUTES);
        for (int i = 0; i < count; i++) {
            SyntheticFaces.Attributes a = attributes(seed, i);
            ImageIO.write(
                    SyntheticFaces.render(contentSeed(seed, i), a, size),
                    "png",
                    images.resolve(fileName(i)).toFile());
            int[] v = new int[40];
            java.util.Arrays.fill(v, -1);
            float[] labels = a.celebaLabels();
            for (int k = 0; k < cols.length; k++) {
                v[cols[k]] = labels[k] > 0 ? 1 : -1;
            }
            files.add(fileName(i));
            values.add(v);
            progress.accept(i + 1);
        }
        try (Writer w = Files.newBufferedWriter(celeba.resolve("list_attr_celeba.txt"), StandardCharsets.UTF_8)) {
            new CelebAAttributes(CelebAAttributes.CELEBA_40, files, values).write(w);
        }
        for (int i = 0; i < count; i++) {
            int expression = i % SyntheticFaces.EXPRESSIONS.size();
            Path folder = dir.resolve("rafd").resolve(SyntheticFaces.EXPRESSIONS.get(expression));
            Files.createDirectories(folder);
            long content = contentSeed(seed + 1, i / SyntheticFaces.EXPRESSIONS.size());
            SyntheticFaces.Attributes a =
                    attributes(seed + 1, i / SyntheticFaces.EXPRESSIONS.size()).withExpression(expression);
            ImageIO.write(
                    SyntheticFaces.render(
                            content,
                            new SyntheticFaces.Attributes(a.hair(), a.male(), a.young(), false, false, expression),
                            size),
                    "png",
                    folder.resolve(String.format("%06d.png", i / SyntheticFaces.EXPRESSIONS.size() + 1))
                            .toFile());
            progress.accept(count + i + 1);
        }
        // Written by hand, not with Properties.store: that adds the current date as a comment, and the same seed must
        // write the same bytes. Properties.load reads it back.
        Files.writeString(
                dir.resolve(MANIFEST),
                "# StarGAN synthetic faces: image i of celeba/ has content seed SyntheticDataset.contentSeed(seed, i)\n"
                        + "count=" + count + "\n"
                        + "seed=" + seed + "\n"
                        + "size=" + size + "\n",
                StandardCharsets.UTF_8);
    }

    /** The recipe of a directory written by {@link #write}, or fails saying the directory is not synthetic. */
    public static Properties manifest(Path dir) throws IOException {
        Path m = dir.resolve(MANIFEST);
        if (!Files.isRegularFile(m)) {
            throw new IllegalArgumentException(
                    dir + ": no " + MANIFEST + "; not a directory written by `stargan synth`");
        }
        Properties p = new Properties();
        try (var r = Files.newBufferedReader(m, StandardCharsets.UTF_8)) {
            p.load(r);
        }
        return p;
    }
}
