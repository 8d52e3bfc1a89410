package org.stargan.trainer;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.stargan.kafka.LocalKafka;
import org.stargan.testing.JavaProcess;

/**
 * A trainer asked for a GPU that the loaded libtorch cannot use exits at once, naming what to set, instead of taking
 * jobs and failing each one (or training on the CPU without a word). Started as {@code ./stargan trainer-worker} starts
 * it, with the CPU libtorch of the default build.
 */
class TrainerDeviceRefusalTest {
    @Test
    void aTrainerAskedForAGpuTheLoadedLibtorchCannotUseExitsNamingWhatToSet(@TempDir Path artifacts) throws Exception {
        try (JavaProcess p = JavaProcess.of(Main.class)
                .args(
                        "--device",
                        "cuda:0",
                        "--bootstrap",
                        "127.0.0.1:" + LocalKafka.freePort(),
                        "--artifacts",
                        artifacts.toString(),
                        "--metrics-port",
                        Integer.toString(LocalKafka.freePort()))
                .start()) {
            assertThat(p.exitCode(Duration.ofSeconds(120))).as(p.output()).isEqualTo(1);
            assertThat(p.output())
                    .contains("trainer-worker: failed to start: --device cuda:0: the loaded libtorch cannot use a GPU")
                    .contains("PYTORCH_FLAVOR=cu128")
                    .contains("--device cpu")
                    .doesNotContain("consuming");
        }
    }
}
