package org.stargan.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The CelebA and folder readers on files in the real formats, well-formed and malformed. */
class DatasetReadersTest {
    @TempDir
    Path tmp;

    private Path celeba(String attrText, String... images) throws Exception {
        Path dir = tmp.resolve("celeba");
        Files.createDirectories(dir.resolve("img"));
        Files.writeString(dir.resolve("list_attr_celeba.txt"), attrText);
        for (String name : images) {
            BufferedImage img = new BufferedImage(178, 218, BufferedImage.TYPE_INT_RGB);
            img.setRGB(89, 109, 0xff0000);
            ImageIO.write(
                    img,
                    name.endsWith(".png") ? "png" : "jpg",
                    dir.resolve("img").resolve(name).toFile());
        }
        return dir;
    }

    private static String header(int count) {
        return count + "\n" + String.join(" ", CelebAAttributes.CELEBA_40) + " \n";
    }

    private static String line(String file, int... onesAt) {
        StringBuilder sb = new StringBuilder(file);
        for (int i = 0; i < 40; i++) {
            int v = -1;
            for (int o : onesAt) {
                v = o == i ? 1 : v;
            }
            sb.append(v == 1 ? "  1" : " -1");
        }
        return sb.append('\n').toString();
    }

    @Test
    void celebaReadsSelectedAttributesInOrderAndSplitsTrainAndTest() throws Exception {
        // Black_Hair is column 8, Male 20, Young 39.
        Path dir = celeba(
                header(3) + line("000001.jpg", 8, 39) + line("000002.jpg", 20) + line("000003.jpg", 9, 20, 39),
                "000001.jpg",
                "000002.jpg",
                "000003.jpg");
        List<String> attrs = List.of("Young", "Black_Hair", "Male");
        CelebAImages train = new CelebAImages(
                dir.resolve("list_attr_celeba.txt"),
                dir.resolve("img"),
                attrs,
                CelebAImages.Split.TRAIN,
                1,
                7,
                178,
                32);
        CelebAImages test = new CelebAImages(
                dir.resolve("list_attr_celeba.txt"), dir.resolve("img"), attrs, CelebAImages.Split.TEST, 1, 7, 178, 32);
        assertThat(train.size()).isEqualTo(2);
        assertThat(test.size()).isEqualTo(1);
        assertThat(train.domains()).containsExactly("Young", "Black_Hair", "Male");
        for (CelebAImages split : List.of(train, test)) {
            for (int i = 0; i < split.size(); i++) {
                float[] expected = switch (split.file(i)) {
                    case "000001.jpg" -> new float[] {1, 1, 0};
                    case "000002.jpg" -> new float[] {0, 0, 1};
                    default -> new float[] {1, 0, 1};
                };
                assertThat(split.label(i)).containsExactly(expected);
            }
        }
        ImageCodec.Tensor t = train.load(0);
        assertThat(t.chw()).hasSize(3 * 32 * 32);
        assertThat(t.height()).isEqualTo(32);
    }

    @Test
    void malformedCelebaFilesNameTheFileLineAndAttribute() throws Exception {
        Path dir = celeba(header(2) + line("000001.jpg", 8) + "000002.jpg 1 -1\n", "000001.jpg", "000002.jpg");
        Path attr = dir.resolve("list_attr_celeba.txt");
        assertThatThrownBy(() -> CelebAAttributes.read(attr))
                .hasMessageContaining("list_attr_celeba.txt:4: 2 values, expected 40");

        Files.writeString(attr, header(1) + line("000001.jpg", 8).replace(" -1", " 0"));
        assertThatThrownBy(() -> CelebAAttributes.read(attr))
                .hasMessageContaining(":3: value '0' for 5_o_Clock_Shadow, expected 1 or -1");

        Files.writeString(attr, header(5) + line("000001.jpg", 8));
        assertThatThrownBy(() -> CelebAAttributes.read(attr))
                .hasMessageContaining("line 1 says 5 images, the file lists 1");

        Files.writeString(attr, header(2) + line("000001.jpg", 8) + line("000009.jpg", 8));
        assertThatThrownBy(() -> new CelebAImages(
                        attr, dir.resolve("img"), List.of("Male"), CelebAImages.Split.TRAIN, 0, 1, 178, 32))
                .hasMessageContaining("image '000009.jpg' (line 4) not found");

        Files.writeString(attr, header(1) + line("000001.jpg", 8));
        assertThatThrownBy(() -> new CelebAImages(
                        attr, dir.resolve("img"), List.of("Purple_Hair"), CelebAImages.Split.TRAIN, 0, 1, 178, 32))
                .hasMessageContaining("unknown attribute 'Purple_Hair'");

        Files.writeString(dir.resolve("img").resolve("000001.jpg"), "truncated");
        CelebAImages broken =
                new CelebAImages(attr, dir.resolve("img"), List.of("Male"), CelebAImages.Split.TRAIN, 0, 1, 178, 32);
        assertThatThrownBy(() -> broken.load(0)).hasMessageContaining("000001.jpg");
    }

    @Test
    void foldersAreDomainsSortedByNameAndEmptyOnesAreRefused() throws Exception {
        Path root = tmp.resolve("rafd");
        for (String d : List.of("sad", "angry", "happy")) {
            Files.createDirectories(root.resolve(d));
            for (int i = 0; i < 2; i++) {
                ImageIO.write(
                        new BufferedImage(40, 40, BufferedImage.TYPE_INT_RGB),
                        "png",
                        root.resolve(d).resolve(i + ".png").toFile());
            }
        }
        Files.writeString(root.resolve("happy").resolve("readme.txt"), "not an image");
        FolderImages f = new FolderImages(root, 256, 16);
        assertThat(f.domains()).containsExactly("angry", "happy", "sad");
        assertThat(f.size()).isEqualTo(6);
        assertThat(f.label(0)).containsExactly(1, 0, 0);
        assertThat(f.label(5)).containsExactly(0, 0, 1);
        Files.createDirectories(root.resolve("surprised"));
        assertThatThrownBy(() -> new FolderImages(root, 256, 16))
                .hasMessageContaining("surprised: domain folder has no");
        assertThatThrownBy(() -> new FolderImages(tmp.resolve("none"), 256, 16))
                .hasMessageContaining("not a directory");
    }
}
