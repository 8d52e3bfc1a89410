package org.stargan.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.stargan.testing.RealPhotos;

/** {@code stargan translate --crop face --paste} on real photos, with an official-format checkpoint. */
class TranslatePhotoCommandTest {
    @TempDir
    Path tmp;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private Path ckpt;

    @BeforeEach
    void checkpoint() throws Exception {
        ckpt = tmp.resolve("tiny-G.ckpt");
        try (var in = getClass().getResourceAsStream("/parity/tiny-G.zip.ckpt")) {
            Files.copy(in, ckpt);
        }
    }

    private int run(Path input, Path output, String... options) {
        out.reset();
        err.reset();
        List<String> args = new java.util.ArrayList<>(List.of(
                "translate",
                "--checkpoint",
                ckpt.toString(),
                "--input",
                input.toString(),
                "--output",
                output.toString(),
                "--domains",
                "Black_Hair,Blond_Hair,Young",
                "--target",
                "Blond_Hair=1"));
        args.addAll(List.of(options));
        return StarGanCli.run(
                args,
                new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    private Path photo(String name, byte[] bytes) throws Exception {
        Path p = tmp.resolve(name);
        Files.write(p, bytes);
        return p;
    }

    @Test
    void aFaceIsTranslatedAndPastedBackIntoThePhotoAtItsSize() throws Exception {
        Path astronaut = photo("astronaut.png", RealPhotos.ASTRONAUT.bytes());
        Path pasted = tmp.resolve("pasted.png");
        assertThat(run(astronaut, pasted, "--crop", "face", "--paste"))
                .as(err.toString())
                .isZero();
        assertThat(err.toString()).contains("face at").contains("eyes found");
        BufferedImage before = ImageIO.read(astronaut.toFile());
        BufferedImage after = ImageIO.read(pasted.toFile());
        assertThat(after.getWidth()).isEqualTo(512);
        assertThat(after.getHeight()).isEqualTo(512);
        assertThat(after.getRGB(0, 511)).as("a corner far from the face").isEqualTo(before.getRGB(0, 511));
        assertThat(after.getRGB(225, 140)).as("the face's middle").isNotEqualTo(before.getRGB(225, 140));

        Path grace = photo("grace.jpg", RealPhotos.GRACE_HOPPER.bytes());
        Path graceOut = tmp.resolve("grace-out.jpg");
        assertThat(run(grace, graceOut, "--crop", "face", "--paste"))
                .as(err.toString())
                .isZero();
        BufferedImage g = ImageIO.read(graceOut.toFile());
        assertThat(g.getWidth()).isEqualTo(512);
        assertThat(g.getHeight()).isEqualTo(600);

        Path crop = tmp.resolve("crop.png");
        assertThat(run(astronaut, crop, "--crop", "face")).as(err.toString()).isZero();
        assertThat(ImageIO.read(crop.toFile()).getWidth())
                .as("without --paste: the translated 128 px crop")
                .isEqualTo(128);
    }

    @Test
    void aPhotoWithoutAFaceFailsSayingSoAndWhatToDoInstead() throws Exception {
        Path coffee = photo("coffee.png", RealPhotos.noFace("coffee.png"));
        assertThat(run(coffee, tmp.resolve("x.png"), "--crop", "face", "--paste"))
                .isEqualTo(1);
        assertThat(err.toString())
                .contains("no face found in the 600×400 photo (--crop face)")
                .contains("--crop center");
        assertThat(tmp.resolve("x.png")).doesNotExist();
        assertThat(run(coffee, tmp.resolve("centre.png"), "--crop", "center", "--paste"))
                .as(err.toString())
                .isZero();
        assertThat(ImageIO.read(tmp.resolve("centre.png").toFile()).getWidth()).isEqualTo(600);
    }

    @Test
    void optionsThatDoNotGoTogetherAreRefusedByName() throws Exception {
        Path astronaut = photo("astronaut.png", RealPhotos.ASTRONAUT.bytes());
        assertThat(run(astronaut, tmp.resolve("a.png"), "--crop", "center", "--faces", "all"))
                .isEqualTo(2);
        assertThat(err.toString()).contains("--faces all needs --crop face");
        assertThat(run(astronaut, tmp.resolve("a.png"), "--crop", "178", "--paste"))
                .isEqualTo(2);
        assertThat(err.toString()).contains("--crop 178 is the plain centre crop");
        assertThat(run(astronaut, tmp.resolve("a.png"), "--crop", "eyes")).isEqualTo(2);
        assertThat(err.toString()).contains("--crop: 'eyes', expected face, center or none");
        assertThat(run(astronaut, tmp.resolve("a.npy"), "--crop", "face", "--paste"))
                .isEqualTo(2);
        assertThat(err.toString()).contains("--paste writes the photo");
    }
}
