package org.stargan.data;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SyntheticDataTest {
    @TempDir
    Path tmp;

    @Test
    void theSameSeedWritesTheSameBytes() throws Exception {
        SyntheticDataset.write(tmp.resolve("a"), 12, 32, 5, n -> {});
        SyntheticDataset.write(tmp.resolve("b"), 12, 32, 5, n -> {});
        SyntheticDataset.write(tmp.resolve("c"), 12, 32, 6, n -> {});
        for (String f : List.of("celeba/list_attr_celeba.txt", "celeba/images/000007.png", "rafd/happy/000001.png")) {
            assertThat(Files.readAllBytes(tmp.resolve("a").resolve(f)))
                    .as(f)
                    .isEqualTo(Files.readAllBytes(tmp.resolve("b").resolve(f)));
        }
        assertThat(Files.readAllBytes(tmp.resolve("a/celeba/images/000007.png")))
                .isNotEqualTo(Files.readAllBytes(tmp.resolve("c/celeba/images/000007.png")));
        assertThat(new FolderImages(tmp.resolve("a/rafd"), 32, 32).domains())
                .containsExactlyElementsOf(SyntheticFaces.EXPRESSIONS);
    }

    @Test
    void groundTruthReRendersTheFileAndAttributesChangeTheFace() throws Exception {
        SyntheticDataset.write(tmp, 6, 48, 9, n -> {});
        CelebAAttributes attrs = CelebAAttributes.read(tmp.resolve("celeba/list_attr_celeba.txt"));
        int[] cols = attrs.columns(SyntheticFaces.ATTRIBUTES);
        for (int i = 0; i < 6; i++) {
            SyntheticFaces.Attributes a = SyntheticDataset.attributes(9, i);
            var file = ImageIO.read(tmp.resolve("celeba/images")
                    .resolve(SyntheticDataset.fileName(i))
                    .toFile());
            var again = SyntheticFaces.render(SyntheticDataset.contentSeed(9, i), a, 48);
            assertThat(pixels(again)).as("image %d re-rendered", i).isEqualTo(pixels(file));
            float[] labels = a.celebaLabels();
            for (int k = 0; k < cols.length; k++) {
                assertThat(attrs.values().get(i)[cols[k]]).isEqualTo(labels[k] > 0 ? 1 : -1);
            }
            // Each attribute changes the picture, and most of it (background, face) stays put.
            for (int k = 0; k < labels.length; k++) {
                float[] flipped = labels.clone();
                if (k < 3) {
                    flipped[0] = flipped[1] = flipped[2] = 0;
                    flipped[k] = labels[k] > 0 ? 0 : 1;
                } else {
                    flipped[k] = labels[k] > 0 ? 0 : 1;
                }
                int[] changed = pixels(
                        SyntheticFaces.render(SyntheticDataset.contentSeed(9, i), a.withCelebaLabels(flipped), 48));
                int[] base = pixels(again);
                int differ = 0;
                for (int p = 0; p < base.length; p++) {
                    differ += base[p] != changed[p] ? 1 : 0;
                }
                assertThat(differ)
                        .as("image %d attribute %s changes pixels", i, SyntheticFaces.ATTRIBUTES.get(k))
                        .isGreaterThan(10);
                assertThat(differ)
                        .as("image %d attribute %s keeps the content", i, SyntheticFaces.ATTRIBUTES.get(k))
                        .isLessThan(base.length / 2);
            }
        }
    }

    private static int[] pixels(java.awt.image.BufferedImage img) {
        return img.getRGB(0, 0, img.getWidth(), img.getHeight(), null, 0, img.getWidth());
    }
}
