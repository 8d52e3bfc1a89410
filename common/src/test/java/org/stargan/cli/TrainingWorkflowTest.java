package org.stargan.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.stargan.ckpt.GeneratorCheckpoint;

/** synth → train → train-classifier → eval → test, end to end at a tiny size. */
class TrainingWorkflowTest {
    private static final ObjectMapper JSON = new ObjectMapper();

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

    private String[] data(String... more) {
        List<String> a = new ArrayList<>(List.of(
                "--dataset",
                "synthetic",
                "--synthetic-dir",
                tmp.resolve("data").toString(),
                "--image-size",
                "16",
                "--selected-attrs",
                "Black_Hair,Blond_Hair,Brown_Hair,Male,Young"));
        a.addAll(List.of(more));
        return a.toArray(new String[0]);
    }

    private String[] cmd(String name, String[] data, String... more) {
        List<String> a = new ArrayList<>(List.of(name));
        a.addAll(List.of(data));
        a.addAll(List.of(more));
        return a.toArray(new String[0]);
    }

    /** {@code args} with each given option set to the value after it (replaced where present, else appended). */
    private static String[] withOptions(List<String> args, String... optionValues) {
        List<String> a = new ArrayList<>(args);
        for (int k = 0; k < optionValues.length; k += 2) {
            int i = a.indexOf(optionValues[k]);
            if (i >= 0) {
                a.set(i + 1, optionValues[k + 1]);
            } else {
                a.addAll(List.of(optionValues[k], optionValues[k + 1]));
            }
        }
        return a.toArray(new String[0]);
    }

    @Test
    void aShortRunWritesMetricsSamplesAndCheckpointsThatEvalAndTestUse() throws Exception {
        assertThat(run("synth", "--out", tmp.resolve("data").toString(), "--count", "80", "--size", "16"))
                .as(err.toString())
                .isZero();
        Path out1 = tmp.resolve("run");
        String[] train = cmd(
                "train",
                data(),
                "--g-conv-dim",
                "8",
                "--d-conv-dim",
                "8",
                "--g-repeat-num",
                "1",
                "--d-repeat-num",
                "3",
                "--batch-size",
                "4",
                "--num-iters",
                "30",
                "--num-iters-decay",
                "10",
                "--log-step",
                "10",
                "--sample-step",
                "15",
                "--model-save-step",
                "20",
                "--log-dir",
                out1.resolve("logs").toString(),
                "--sample-dir",
                out1.resolve("samples").toString(),
                "--model-save-dir",
                out1.resolve("models").toString());
        assertThat(run(train)).as(err.toString()).isZero();
        assertThat(err.toString()).contains("[30/30]").contains("it/s").contains("ETA");

        List<String> lines = Files.readAllLines(out1.resolve("logs/metrics.jsonl"));
        assertThat(lines).hasSize(3);
        JsonNode last = JSON.readTree(lines.get(2));
        assertThat(last.get("iteration").asInt()).isEqualTo(30);
        for (String k : List.of(
                "D/loss_real",
                "D/loss_fake",
                "D/loss_cls",
                "D/loss_gp",
                "G/loss_fake",
                "G/loss_rec",
                "G/loss_cls",
                "d_lr",
                "g_lr")) {
            assertThat(last.has(k)).as("metrics line has %s", k).isTrue();
        }
        assertThat(last.has("G/loss_id"))
                .as("no identity term without --lambda-id")
                .isFalse();
        // Official layout: 4 fixed rows × [input, 5 domains, 4 multi-attribute columns] of 16 px.
        var grid = ImageIO.read(out1.resolve("samples/15-images.jpg").toFile());
        assertThat(grid.getWidth()).isEqualTo(10 * 16);
        assertThat(grid.getHeight()).isEqualTo(4 * 16);
        assertThat(out1.resolve("models/20-state.safetensors")).exists();
        assertThat(out1.resolve("models/30-state.safetensors")).exists();
        GeneratorCheckpoint g = GeneratorCheckpoint.load(out1.resolve("models/30-G.safetensors"));
        assertThat(g.info().domains()).containsExactly("Black_Hair", "Blond_Hair", "Brown_Hair", "Male", "Young");
        assertThat(g.info().exclusiveGroups()).containsExactly(List.of("Black_Hair", "Blond_Hair", "Brown_Hair"));
        assertThat(g.info().iteration()).isEqualTo(30);

        // Resuming from iteration 20 reproduces iteration 30's generator (to 1e-6: libtorch's kernels may round the
        // last
        // bit differently from run to run).
        Path out2 = tmp.resolve("resumed");
        Files.createDirectories(out2.resolve("models"));
        Files.copy(out1.resolve("models/20-state.safetensors"), out2.resolve("models/20-state.safetensors"));
        String[] resume = train.clone();
        for (int i = 0; i < resume.length; i++) {
            resume[i] = resume[i].replace(out1.toString(), out2.toString());
        }
        List<String> withResume = new ArrayList<>(List.of(resume));
        withResume.addAll(List.of("--resume-iters", "20"));
        assertThat(run(withResume.toArray(new String[0]))).as(err.toString()).isZero();
        GeneratorCheckpoint resumed = GeneratorCheckpoint.load(out2.resolve("models/30-G.safetensors"));
        double maxDiff = 0;
        for (var e : g.weights().entrySet()) {
            float[] a = e.getValue().values();
            float[] b = resumed.weights().get(e.getKey()).values();
            for (int i = 0; i < a.length; i++) {
                maxDiff = Math.max(maxDiff, Math.abs((double) a[i] - b[i]));
            }
        }
        assertThat(maxDiff).as("max |resumed − straight|").isLessThan(1e-6);

        // A finished run can be extended: the official code lets a resumed run change its length and learning-rate
        // schedule. The rates then follow the new schedule (decay over the last 20 of 40 in steps of 5: three steps of
        // 1e-4/20 taken by iteration 40).
        assertThat(run(withOptions(
                        withResume,
                        "--resume-iters",
                        "30",
                        "--num-iters",
                        "40",
                        "--num-iters-decay",
                        "20",
                        "--lr-update-step",
                        "5")))
                .as(err.toString())
                .isZero();
        assertThat(GeneratorCheckpoint.load(out2.resolve("models/40-G.safetensors"))
                        .info()
                        .iteration())
                .isEqualTo(40);
        List<String> extended = Files.readAllLines(out2.resolve("logs/metrics.jsonl"));
        JsonNode at40 = JSON.readTree(extended.get(extended.size() - 1));
        assertThat(at40.get("iteration").asInt()).isEqualTo(40);
        assertThat(at40.get("g_lr").asDouble())
                .as("g_lr at iteration 40 under the new schedule")
                .isCloseTo(1e-4 - 3 * 1e-4 / 20, within(1e-12));
        // Anything else (here the generator's width) must match the saved state, and the error says what differs; a
        // refused run writes nothing (the 40-iteration state it would overwrite stays as it was).
        byte[] state40 = Files.readAllBytes(out2.resolve("models/40-state.safetensors"));
        assertThat(run(withOptions(withResume, "--resume-iters", "30", "--num-iters", "40", "--g-conv-dim", "16")))
                .isNotZero();
        assertThat(err.toString())
                .contains("30-state.safetensors", "--g-conv-dim: saved 8, given 16", "only --num-iters");
        assertThat(run(withOptions(
                        withResume,
                        "--resume-iters",
                        "30",
                        "--num-iters",
                        "40",
                        "--selected-attrs",
                        "Blond_Hair,Black_Hair,Brown_Hair,Male,Young")))
                .isNotZero();
        assertThat(err.toString())
                .contains(
                        "30-state.safetensors",
                        "saved for the domains [Black_Hair, Blond_Hair, Brown_Hair, Male, Young]");
        assertThat(Files.readAllBytes(out2.resolve("models/40-state.safetensors")))
                .as("40-state after two refused runs")
                .isEqualTo(state40);
        assertThat(run(withOptions(withResume, "--resume-iters", "30", "--num-iters", "25")))
                .isNotZero();
        assertThat(err.toString()).contains("30-state.safetensors", "past --num-iters 25");
        // This run kept no moving average of G, so its state has none to export.
        assertThat(run(
                        "export",
                        "--checkpoint",
                        out1.resolve("models/30-state.safetensors").toString(),
                        "--network",
                        "G.ema",
                        "--format",
                        "safetensors",
                        "--output",
                        tmp.resolve("none.safetensors").toString()))
                .isEqualTo(2);
        assertThat(err.toString()).contains("--network G.ema: 30-state.safetensors holds no such network");

        Path cls = tmp.resolve("classifier.safetensors");
        assertThat(run(cmd(
                        "train-classifier",
                        data(),
                        "--output",
                        cls.toString(),
                        "--conv-dim",
                        "8",
                        "--repeat-num",
                        "3",
                        "--num-iters",
                        "20",
                        "--batch-size",
                        "8")))
                .as(err.toString())
                .isZero();
        JsonNode creport = JSON.readTree(out.toString().strip());
        assertThat(creport.get("accuracy_on_real_test").asDouble()).isBetween(0.0, 1.0);

        assertThat(run(cmd(
                        "eval",
                        data(),
                        "--checkpoint",
                        out1.resolve("models/30-G.safetensors").toString(),
                        "--classifier",
                        cls.toString())))
                .as(err.toString())
                .isZero();
        JsonNode report = JSON.readTree(out.toString().strip());
        assertThat(report.get("test_images").asInt()).isEqualTo(8);
        for (String section : List.of(
                "classifier_accuracy_on_real",
                "target_domain_accuracy",
                "ground_truth_l1",
                "ground_truth_psnr_db",
                "untranslated_input_l1_to_ground_truth",
                "changed_pixel_share",
                "ground_truth_l1_on_changed_pixels",
                "untranslated_input_l1_on_changed_pixels",
                "ground_truth_l1_on_unchanged_pixels")) {
            assertThat(report.get(section).has("overall")).as(section).isTrue();
            assertThat(report.get(section).has("Blond_Hair")).as(section).isTrue();
        }
        assertThat(report.get("reconstruction_l1").asDouble()).isPositive();
        assertThat(report.get("ground_truth_psnr_db").get("overall").asDouble()).isPositive();
        // The region split adds up to the whole: share · changed + (1 − share) · unchanged is the L1 to the truth, and
        // the
        // input's error lies on the changed pixels only (the others are equal to the truth up to half an 8-bit level).
        for (String domain : List.of("overall", "Black_Hair", "Blond_Hair", "Male")) {
            double share = report.get("changed_pixel_share").get(domain).asDouble();
            assertThat(share).as(domain).isGreaterThan(0.0).isLessThan(1.0);
            double split = share
                            * report.get("ground_truth_l1_on_changed_pixels")
                                    .get(domain)
                                    .asDouble()
                    + (1 - share)
                            * report.get("ground_truth_l1_on_unchanged_pixels")
                                    .get(domain)
                                    .asDouble();
            assertThat(split)
                    .as(domain)
                    .isCloseTo(report.get("ground_truth_l1").get(domain).asDouble(), within(1e-6));
            assertThat(share
                            * report.get("untranslated_input_l1_on_changed_pixels")
                                    .get(domain)
                                    .asDouble())
                    .as(domain)
                    .isCloseTo(
                            report.get("untranslated_input_l1_to_ground_truth")
                                    .get(domain)
                                    .asDouble(),
                            within(0.004));
        }

        Path results = tmp.resolve("results");
        assertThat(run(cmd(
                        "test",
                        data(),
                        "--checkpoint",
                        out1.resolve("models/30-G.safetensors").toString(),
                        "--result-dir",
                        results.toString(),
                        "--batch-size",
                        "4")))
                .as(err.toString())
                .isZero();
        var testGrid = ImageIO.read(results.resolve("1-images.jpg").toFile());
        assertThat(testGrid.getWidth()).isEqualTo(6 * 16);
        assertThat(results.resolve("2-images.jpg")).exists();

        // Without --image-size (and without --dataset: --synthetic-dir says which) the test split is read at the
        // checkpoint's own size, 16 px, not the official 128; a size that differs from the checkpoint's is refused.
        Path atModelSize = tmp.resolve("results-model-size");
        String[] noSize = {"--synthetic-dir", tmp.resolve("data").toString()};
        String model = out1.resolve("models/30-G.safetensors").toString();
        assertThat(run(cmd("test", noSize, "--checkpoint", model, "--result-dir", atModelSize.toString())))
                .as(err.toString())
                .isZero();
        assertThat(ImageIO.read(atModelSize.resolve("1-images.jpg").toFile()).getWidth())
                .isEqualTo(6 * 16);
        assertThat(run(cmd("test", noSize, "--checkpoint", model, "--image-size", "32")))
                .isEqualTo(2);
        assertThat(err.toString())
                .contains("test: --image-size 32, but " + model + " was trained at 16 px; leave --image-size out");
        assertThat(run(cmd(
                        "eval", noSize, "--checkpoint", model, "--classifier", cls.toString(), "--image-size", "32")))
                .isEqualTo(2);
        assertThat(err.toString()).contains("eval: --image-size 32, but " + model + " was trained at 16 px");
    }

    @Test
    void jointTrainingOnBothDatasetsUsesTheMaskVector() throws Exception {
        assertThat(run("synth", "--out", tmp.resolve("data").toString(), "--count", "40", "--size", "16"))
                .as(err.toString())
                .isZero();
        Path out1 = tmp.resolve("both");
        assertThat(run(
                        "train",
                        "--dataset",
                        "both",
                        "--synthetic-dir",
                        tmp.resolve("data").toString(),
                        "--image-size",
                        "16",
                        "--g-conv-dim",
                        "8",
                        "--d-conv-dim",
                        "8",
                        "--g-repeat-num",
                        "1",
                        "--d-repeat-num",
                        "3",
                        "--batch-size",
                        "4",
                        "--num-iters",
                        "10",
                        "--num-iters-decay",
                        "0",
                        "--n-critic",
                        "2",
                        "--lambda-id",
                        "5",
                        "--log-step",
                        "10",
                        "--sample-step",
                        "10",
                        "--model-save-step",
                        "10",
                        "--log-dir",
                        out1.resolve("logs").toString(),
                        "--sample-dir",
                        out1.resolve("samples").toString(),
                        "--model-save-dir",
                        out1.resolve("models").toString()))
                .as(err.toString())
                .isZero();
        assertThat(err.toString()).contains("joint training");
        GeneratorCheckpoint g = GeneratorCheckpoint.load(out1.resolve("models/10-G.safetensors"));
        // G's label vector: 5 attributes, 8 expressions, 2 mask entries.
        assertThat(g.config().cDim()).isEqualTo(5 + 8 + 2);
        assertThat(g.info().domains()).hasSize(15).endsWith("mask:synthetic", "mask:rafd");
        JsonNode line = JSON.readTree(
                Files.readAllLines(out1.resolve("logs/metrics.jsonl")).get(0));
        assertThat(line.has("D/loss_cls")).isTrue();
        assertThat(line.has("D/loss_cls@2")).isTrue();
        assertThat(line.has("G/loss_rec@2")).isTrue();
        // --lambda-id adds the (unofficial) identity term, logged for both datasets.
        assertThat(line.get("G/loss_id").asDouble()).isPositive();
        assertThat(line.get("G/loss_id@2").asDouble()).isPositive();
        // The grid: input, 5 + 4 CelebA-style columns, then the 8 expressions.
        var grid = ImageIO.read(out1.resolve("samples/10-images.jpg").toFile());
        assertThat(grid.getWidth()).isEqualTo((1 + 9 + 8) * 16);
    }

    @Test
    void aRunKeepingAMovingAverageOfGWritesTheAverageAsItsModel() throws Exception {
        assertThat(run("synth", "--out", tmp.resolve("data").toString(), "--count", "40", "--size", "16"))
                .as(err.toString())
                .isZero();
        Path runDir = tmp.resolve("ema");
        assertThat(run(cmd(
                        "train",
                        data(),
                        "--g-conv-dim",
                        "8",
                        "--d-conv-dim",
                        "8",
                        "--g-repeat-num",
                        "1",
                        "--d-repeat-num",
                        "3",
                        "--batch-size",
                        "4",
                        "--n-critic",
                        "1",
                        "--num-iters",
                        "6",
                        "--num-iters-decay",
                        "0",
                        "--g-ema-beta",
                        "0.5",
                        "--log-step",
                        "6",
                        "--sample-step",
                        "6",
                        "--model-save-step",
                        "6",
                        "--log-dir",
                        runDir.resolve("logs").toString(),
                        "--sample-dir",
                        runDir.resolve("samples").toString(),
                        "--model-save-dir",
                        runDir.resolve("models").toString())))
                .as(err.toString())
                .isZero();
        Path state = runDir.resolve("models/6-state.safetensors");
        Path average = tmp.resolve("average.safetensors");
        Path trained = tmp.resolve("trained.safetensors");
        for (String[] network : new String[][] {{"G.ema", average.toString()}, {"G", trained.toString()}}) {
            assertThat(run(
                            "export",
                            "--checkpoint",
                            state.toString(),
                            "--network",
                            network[0],
                            "--format",
                            "safetensors",
                            "--output",
                            network[1]))
                    .as(err.toString())
                    .isZero();
        }
        var model = GeneratorCheckpoint.load(runDir.resolve("models/6-G.safetensors"))
                .weights();
        var averageWeights = GeneratorCheckpoint.load(average).weights();
        var trainedWeights = GeneratorCheckpoint.load(trained).weights();
        assertThat(model.keySet()).isEqualTo(averageWeights.keySet());
        boolean differsFromTrained = false;
        for (String key : model.keySet()) {
            assertThat(model.get(key).values())
                    .as("6-G.safetensors holds the average: " + key)
                    .isEqualTo(averageWeights.get(key).values());
            differsFromTrained |= !java.util.Arrays.equals(
                    model.get(key).values(), trainedWeights.get(key).values());
        }
        assertThat(differsFromTrained)
                .as("the average after 6 G steps at β 0.5 is not G itself")
                .isTrue();
    }

    @Test
    void badTrainingOptionsNameTheOptionAndTheValue() throws Exception {
        assertThat(run("train", "--dataset", "imagenet")).isEqualTo(2);
        assertThat(err.toString()).contains("--dataset 'imagenet', expected celeba, rafd, folder, synthetic or both");
        assertThat(run("train", "--dataset", "celeba")).isEqualTo(2);
        assertThat(err.toString()).contains("train: --dataset celeba needs --attr-path");
        // No --dataset: celeba, the official default, unless the data options given name another.
        assertThat(run("train", "--rafd-image-dir", tmp.toString())).isEqualTo(2);
        assertThat(err.toString())
                .contains("train: --dataset celeba (the default) needs --attr-path; for the folder given with "
                        + "--rafd-image-dir add --dataset rafd (or folder)");
        assertThat(run("train", "--synthetic-dir", tmp.toString())).isEqualTo(1);
        assertThat(err.toString()).contains("not a directory written by `stargan synth`");
        // Options that do not fit together are named as options, with what to use instead, before any data is read.
        assertThat(run("train", "--synthetic-dir", tmp.resolve("nothing-here").toString(), "--image-size", "32"))
                .isEqualTo(2);
        assertThat(err.toString())
                .contains(
                        "train: --image-size 32 with --d-repeat-num 6: the image size must be a multiple of 2^6 = 64; "
                                + "use --image-size 64 or --d-repeat-num 5");

        assertThat(run("train", "--dataset", "synthetic", "--synthetic-dir", tmp.toString()))
                .isEqualTo(1);
        assertThat(err.toString()).contains("not a directory written by `stargan synth`");
        assertThat(run("synth", "--out", tmp.resolve("small").toString(), "--count", "10", "--size", "16"))
                .isZero();
        // An output folder that cannot be one is reported by its option.
        Path file = Files.writeString(tmp.resolve("stargan"), "#!/bin/sh\n");
        assertThat(run(
                        "train",
                        "--synthetic-dir",
                        tmp.resolve("small").toString(),
                        "--image-size",
                        "16",
                        "--d-repeat-num",
                        "3",
                        "--log-dir",
                        file.resolve("logs").toString()))
                .isEqualTo(2);
        assertThat(err.toString())
                .contains("train: --log-dir " + file.resolve("logs") + ": " + file
                        + " is a file, not a directory; choose another --log-dir");
        // One bad option on an otherwise good command: usage error (2), the message names the option, value and range.
        for (String[] bad : new String[][] {
            {"--batch-size", "many", "--batch-size 'many', expected a whole number"},
            {"--lambda-id", "-1", "train: --lambda-id '-1', expected a finite number ≥ 0"},
            {"--g-ema-beta", "1", "train: --g-ema-beta '1', expected a number in [0, 1)"},
            {"--g-ema-beta", "x", "train: --g-ema-beta 'x', expected a number in [0, 1)"},
            {"--beta1", "1", "train: --beta1 '1', expected a number in [0, 1)"}
        }) {
            assertThat(run(
                            "train",
                            "--dataset",
                            "synthetic",
                            "--synthetic-dir",
                            tmp.resolve("small").toString(),
                            "--image-size",
                            "16",
                            bad[0],
                            bad[1]))
                    .as(bad[0])
                    .isEqualTo(2);
            assertThat(err.toString()).contains(bad[2]);
        }
    }
}
