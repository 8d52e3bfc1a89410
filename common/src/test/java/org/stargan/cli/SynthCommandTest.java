package org.stargan.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code stargan synth} is byte-reproducible: two runs with the same options write the same files, byte for byte. */
class SynthCommandTest {
    @TempDir
    Path tmp;

    @Test
    void twoRunsWriteTheSameBytes() throws Exception {
        Map<String, byte[]> first = synth(tmp.resolve("a"));
        // Into another second of the clock, so that nothing time-dependent can come out equal by chance.
        Thread.sleep(1100);
        Map<String, byte[]> second = synth(tmp.resolve("b"));
        assertThat(second.keySet()).isEqualTo(first.keySet());
        assertThat(first).hasSize(2 * 6 + 2); // 6 CelebA-style faces, 6 RaFD-style, the attribute list, the manifest
        assertThat(new String(second.get("synthetic.properties"), StandardCharsets.UTF_8))
                .isEqualTo("# StarGAN synthetic faces: image i of celeba/ has content seed"
                        + " SyntheticDataset.contentSeed(seed, i)\ncount=6\nseed=77\nsize=16\n");
        for (String file : first.keySet()) {
            assertThat(java.util.Arrays.equals(second.get(file), first.get(file)))
                    .as("%s: the same bytes in both runs", file)
                    .isTrue();
        }
    }

    /** Runs {@code synth} into {@code dir}; every file written, by path relative to it. */
    private static Map<String, byte[]> synth(Path dir) throws IOException {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = StarGanCli.run(
                List.of("synth", "--out", dir.toString(), "--count", "6", "--size", "16", "--seed", "77"),
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        assertThat(status).as(err.toString(StandardCharsets.UTF_8)).isZero();
        Map<String, byte[]> files = new TreeMap<>();
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path f : all.filter(Files::isRegularFile).toList()) {
                files.put(dir.relativize(f).toString(), Files.readAllBytes(f));
            }
        }
        return files;
    }
}
