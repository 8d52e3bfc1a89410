package org.stargan.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;
import org.stargan.data.ImageCodec;
import org.stargan.msg.DomainLabels;
import org.stargan.nn.Generator;
import org.stargan.nn.GradMode;

/**
 * The official sample/test grid: one row per image, columns [input, each single-domain target] and, when the
 * domains include a hair-colour group, {@code Male} and {@code Young}, the paper's multi-attribute columns
 * hair+gender, hair+age, gender+age and hair+gender+age.
 */
public final class SampleGrid {
    private SampleGrid() {}

    /** Target vectors for one image's grid columns (after the input column). */
    public static List<float[]> targets(DomainLabels domains, float[] original) {
        List<float[]> out = new ArrayList<>(domains.allDomainTargets(original));
        List<String> names = domains.names();
        int male = names.indexOf("Male");
        int young = names.indexOf("Young");
        List<String> hairGroup = domains.exclusiveGroups().stream()
                .filter(g -> g.stream().anyMatch(DomainLabels.HAIR_COLOURS::contains))
                .findFirst()
                .orElse(null);
        if (male >= 0 && young >= 0 && hairGroup != null) {
            float[] hair = nextHairColour(domains, hairGroup, original);
            out.add(flip(hair, male));
            out.add(flip(hair, young));
            out.add(flip(flip(original, male), young));
            out.add(flip(flip(hair, male), young));
        }
        return out;
    }

    /** How many grid columns {@link #targets} gives (after the input column). */
    public static int columns(DomainLabels domains) {
        return targets(domains, new float[domains.size()]).size();
    }

    private static float[] nextHairColour(DomainLabels domains, List<String> group, float[] original) {
        int current = -1;
        for (int i = 0; i < group.size(); i++) {
            if (original[domains.names().indexOf(group.get(i))] >= 0.5f) {
                current = i;
            }
        }
        float[] v = original.clone();
        for (String h : group) {
            v[domains.names().indexOf(h)] = 0;
        }
        v[domains.names().indexOf(group.get((current + 1) % group.size()))] = 1;
        return v;
    }

    private static float[] flip(float[] v, int index) {
        float[] out = v.clone();
        out[index] = out[index] >= 0.5f ? 0 : 1;
        return out;
    }

    /**
     * Renders the grid for {@code n} images ((N, 3, S, S) in [−1, 1]) with their labels; the generator runs without
     * autograd in a scratch manager.
     */
    public static BufferedImage render(
            Generator g, NDManager manager, DomainLabels domains, float[] images, float[][] labels, int n, int size) {
        return render(g, manager, label -> targets(domains, label), images, labels, n, size);
    }

    /**
     * Renders a grid whose columns are G's full label vectors computed from each image's own labels by
     * {@code columns} (the same count for every image).
     */
    public static BufferedImage render(
            Generator g,
            NDManager manager,
            java.util.function.Function<float[], List<float[]>> columns,
            float[] images,
            float[][] labels,
            int n,
            int size) {
        int plane = 3 * size * size;
        List<List<float[]>> perImage = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            perImage.add(columns.apply(labels[i]));
        }
        int cols = 1 + perImage.get(0).size();
        int c = perImage.get(0).get(0).length;
        BufferedImage grid = new BufferedImage(cols * size, n * size, BufferedImage.TYPE_INT_RGB);
        Graphics2D gfx = grid.createGraphics();
        for (int i = 0; i < n; i++) {
            gfx.drawImage(ImageCodec.toImage(images, i * plane, size, size), 0, i * size, null);
        }
        float[] batch = new float[n * plane];
        System.arraycopy(images, 0, batch, 0, n * plane);
        for (int col = 0; col < cols - 1; col++) {
            float[] cs = new float[n * c];
            for (int i = 0; i < n; i++) {
                System.arraycopy(perImage.get(i).get(col), 0, cs, i * c, c);
            }
            try (NDManager scope = manager.newSubManager();
                    GradMode ignored = GradMode.off()) {
                NDArray y =
                        g.forward(scope.create(batch, new Shape(n, 3, size, size)), scope.create(cs, new Shape(n, c)));
                float[] out = y.toFloatArray();
                for (int i = 0; i < n; i++) {
                    gfx.drawImage(ImageCodec.toImage(out, i * plane, size, size), (col + 1) * size, i * size, null);
                }
            }
        }
        gfx.dispose();
        return grid;
    }
}
