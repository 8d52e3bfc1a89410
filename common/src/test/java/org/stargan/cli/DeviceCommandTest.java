package org.stargan.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@code stargan device} and the commands' {@code --device}: with the CPU libtorch a GPU is refused (status 2, the
 * message naming what to set) and never replaced by the CPU; the CPU is described as the workers log it.
 */
class DeviceCommandTest {
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
    void theCpuIsDescribedAsTheWorkersLogIt() {
        assertThat(run("device")).as(err.toString()).isZero();
        assertThat(err.toString()).startsWith("device cpu: PyTorch 2.7.1, flavor cpu (Maven jar pytorch-native-cpu)");
        assertThat(out.toString()).contains("\"flavor\":\"cpu\"").contains("\"cuda\":false");
    }

    @Test
    void aGpuIsRefusedWithStatus2AndWhatToSetByEveryCommandThatComputes() {
        for (List<String> command : List.of(
                List.of("device", "--device", "cuda:0"),
                List.of("bench", "g-forward", "--config", "small", "--device", "cuda"))) {
            assertThat(run(command.toArray(String[]::new)))
                    .as(command + ": " + err)
                    .isEqualTo(2);
            assertThat(err.toString())
                    .as(command.toString())
                    .contains(": the loaded libtorch cannot use a GPU")
                    .contains("PYTORCH_FLAVOR=cu128")
                    .contains("--device cpu");
            assertThat(out.toString()).as("nothing computed on the CPU instead").isEmpty();
        }
    }
}
