package org.stargan.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.stargan.ckpt.GeneratorCheckpoint;
import org.stargan.io.Npy;
import org.stargan.io.NpzArchive;

/** {@code stargan translate} and {@code export} end to end, against PyTorch's output for the same checkpoint. */
class TranslateAndExportCommandTest {
    @TempDir
    Path tmp;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String... args) {
        out.reset();
        err.reset();
        return StarGanCli.run(
                List.of(args),
                new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    @Test
    void translatingNpyWithAnOfficialCheckpointMatchesPyTorch() throws Exception {
        float[][] c;
        float[] ref;
        try (NpzArchive npz = NpzArchive.open(fixture("tiny-translate.npz"))) {
            float[] flat = npz.get("c").toFloats();
            c = new float[][] {{flat[0], flat[1], flat[2]}, {flat[3], flat[4], flat[5]}};
            ref = npz.get("out").toFloats();
        }
        int plane = 3 * 16 * 16;
        for (int i = 0; i < 2; i++) {
            Path output = tmp.resolve("out" + i + ".npy");
            String labels = c[i][0] + "," + c[i][1] + "," + c[i][2];
            for (String ckpt : new String[] {"tiny-G.zip.ckpt", "tiny-G.legacy.ckpt"}) {
                assertThat(run(
                                "translate",
                                "--checkpoint",
                                fixture(ckpt).toString(),
                                "--input",
                                fixture("tiny-translate-input.npy").toString(),
                                "--output",
                                output.toString(),
                                "--labels",
                                labels))
                        .as(err.toString())
                        .isZero();
                float[] got = readNpy(output).toFloats();
                double maxAbs = 0;
                double maxDiff = 0;
                for (int k = 0; k < plane; k++) {
                    maxAbs = Math.max(maxAbs, Math.abs(ref[i * plane + k]));
                    maxDiff = Math.max(maxDiff, Math.abs(ref[i * plane + k] - got[i * plane + k]));
                }
                assertThat(maxDiff / maxAbs)
                        .as("image %d via %s: max |Java − PyTorch| / max |PyTorch|", i, ckpt)
                        .isLessThan(1e-4);
            }
        }
    }

    @Test
    void allDomainsGivesTheOfficialGridAndNamedTargetsFollowExclusiveGroups() throws Exception {
        Path grid = tmp.resolve("grid.png");
        assertThat(run(
                        "translate",
                        "--checkpoint",
                        fixture("tiny-G.zip.ckpt").toString(),
                        "--input",
                        fixture("tiny-translate-input.npy").toString(),
                        "--output",
                        grid.toString(),
                        "--all-domains",
                        "--domains",
                        "Black_Hair,Blond_Hair,Male"))
                .as(err.toString())
                .isZero();
        var img = ImageIO.read(grid.toFile());
        // Two input rows; the input column then one column per domain.
        assertThat(img.getWidth()).isEqualTo(4 * 16);
        assertThat(img.getHeight()).isEqualTo(2 * 16);

        Path raw = tmp.resolve("all.npy");
        assertThat(run(
                        "translate",
                        "--checkpoint",
                        fixture("tiny-G.zip.ckpt").toString(),
                        "--input",
                        fixture("tiny-translate-input.npy").toString(),
                        "--output",
                        raw.toString(),
                        "--all-domains"))
                .isZero();
        assertThat(readNpy(raw).shape()).containsExactly(2, 3, 3, 16, 16);

        // Blond on turns black hair off: the same result as the explicit vector 0,1,1.
        Path named = tmp.resolve("named.npy");
        Path vector = tmp.resolve("vector.npy");
        assertThat(run(
                        "translate",
                        "--checkpoint",
                        fixture("tiny-G.zip.ckpt").toString(),
                        "--input",
                        fixture("tiny-translate-input.npy").toString(),
                        "--output",
                        named.toString(),
                        "--domains",
                        "Black_Hair,Blond_Hair,Male",
                        "--labels",
                        "1,0,1",
                        "--target",
                        "Blond_Hair=1"))
                .isZero();
        assertThat(run(
                        "translate",
                        "--checkpoint",
                        fixture("tiny-G.zip.ckpt").toString(),
                        "--input",
                        fixture("tiny-translate-input.npy").toString(),
                        "--output",
                        vector.toString(),
                        "--labels",
                        "0,1,1"))
                .isZero();
        assertThat(readNpy(named).toFloats()).containsExactly(readNpy(vector).toFloats());
    }

    @Test
    void imagesGoInAndComeOutAsImages() throws Exception {
        Path png = tmp.resolve("face.png");
        var img = new java.awt.image.BufferedImage(40, 50, java.awt.image.BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 50; y++) {
            for (int x = 0; x < 40; x++) {
                img.setRGB(x, y, (x * 6) << 16 | (y * 5) << 8 | 128);
            }
        }
        ImageIO.write(img, "png", png.toFile());
        Path result = tmp.resolve("result.jpg");
        assertThat(run(
                        "translate",
                        "--checkpoint",
                        fixture("tiny-G.zip.ckpt").toString(),
                        "--input",
                        png.toString(),
                        "--output",
                        result.toString(),
                        "--labels",
                        "0,1,0",
                        "--image-size",
                        "32"))
                .as(err.toString())
                .isZero();
        var back = ImageIO.read(result.toFile());
        assertThat(back.getWidth()).isEqualTo(32);
        assertThat(back.getHeight()).isEqualTo(32);
        assertThat(err.toString()).contains("translated 1 image(s) into 1 target(s)");
    }

    @Test
    void mistakesAreReportedWithTheFieldTheValueAndWhatWasExpected() throws Exception {
        String ckpt = fixture("tiny-G.zip.ckpt").toString();
        String input = fixture("tiny-translate-input.npy").toString();
        String o = tmp.resolve("o.npy").toString();
        assertThat(run("translate", "--checkpoint", ckpt, "--input", input, "--output", o, "--labels", "1,2"))
                .isEqualTo(1);
        assertThat(err.toString()).contains("--labels: '1,2' has 2 values, expected 3");
        assertThat(run("translate", "--checkpoint", ckpt, "--input", input, "--output", o, "--target", "Smiling=1"))
                .isEqualTo(1);
        assertThat(err.toString()).contains("unknown domain 'Smiling'");
        assertThat(run("translate", "--checkpoint", ckpt, "--input", input, "--output", o, "--labels", "1,0,x"))
                .isEqualTo(1);
        assertThat(err.toString()).contains("'x' in '1,0,x' is not a finite number");
        assertThat(run("translate", "--checkpoint", ckpt, "--input", input, "--output", o))
                .isEqualTo(2);
        assertThat(err.toString()).contains("say what to translate into");
        Path notImage = tmp.resolve("notes.png");
        Files.writeString(notImage, "not an image");
        assertThat(run(
                        "translate",
                        "--checkpoint",
                        ckpt,
                        "--input",
                        notImage.toString(),
                        "--output",
                        o,
                        "--labels",
                        "0,0,0"))
                .isEqualTo(1);
        assertThat(err.toString()).contains("notes.png: not a PNG or JPEG image");
        assertThat(run(
                        "translate",
                        "--checkpoint",
                        fixture("tiny-D.zip.ckpt").toString(),
                        "--input",
                        input,
                        "--output",
                        o,
                        "--labels",
                        "0,0,0"))
                .isEqualTo(1);
        assertThat(err.toString()).contains("not a StarGAN generator state dict");
        assertThat(run("export", "--checkpoint", ckpt, "--format", "onnx", "--output", o))
                .isEqualTo(2);
        assertThat(err.toString()).contains("--format 'onnx', expected torch or safetensors");
        assertThat(Files.exists(Path.of(o))).isFalse();
        // --network picks a network of a training state; on a generator's file, asking for D is a mistake, not a
        // reason to write the generator under D's name.
        Path d = tmp.resolve("D.ckpt");
        assertThat(run("export", "--checkpoint", ckpt, "--network", "D", "--output", d.toString()))
                .isEqualTo(2);
        assertThat(err.toString())
                .contains("export: --network D, but tiny-G.zip.ckpt holds only a generator (G)")
                .contains("leave it out to export this file's network");
        assertThat(Files.exists(d)).isFalse();
        assertThat(run("translate", "--checkpoint", ckpt, "--inputt", input)).isEqualTo(2);
        assertThat(err.toString())
                .contains("translate: unknown option --inputt (did you mean --input?)")
                .contains("see ./stargan translate --help");
    }

    @Test
    void exportConvertsBetweenFormatsWithoutChangingAWeight() throws Exception {
        Path st = tmp.resolve("G.safetensors");
        Path torch = tmp.resolve("G.ckpt");
        assertThat(run(
                        "export",
                        "--checkpoint",
                        fixture("tiny-G.legacy.ckpt").toString(),
                        "--format",
                        "safetensors",
                        "--output",
                        st.toString()))
                .isZero();
        assertThat(run("export", "--checkpoint", st.toString(), "--format", "torch", "--output", torch.toString()))
                .isZero();
        assertThat(err.toString()).contains("exported generator (22 tensors, 11,636 parameters)");
        GeneratorCheckpoint original = GeneratorCheckpoint.load(fixture("tiny-G.legacy.ckpt"));
        GeneratorCheckpoint twice = GeneratorCheckpoint.load(torch);
        original.weights()
                .forEach((k, v) ->
                        assertThat(twice.weights().get(k).values()).as(k).containsExactly(v.values()));
    }

    private static Npy.Array readNpy(Path p) throws Exception {
        try (InputStream in = Files.newInputStream(p)) {
            return Npy.read(in, p.getFileName().toString());
        }
    }

    static Path fixture(String name) throws Exception {
        return Path.of(TranslateAndExportCommandTest.class
                .getResource("/parity/" + name)
                .toURI());
    }
}
