package org.stargan.device;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.Device;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.stargan.cli.StarGanCli;
import org.stargan.testing.JavaProcess;

/**
 * The device check on this machine (the CPU libtorch from the Maven jar, no GPU): the CPU passes and is described; a
 * GPU is refused with a message naming what to set, never run on the CPU instead; a GPU build without a cached libtorch
 * run offline is refused naming the download and path settings.
 */
class DeviceCheckTest {
    @Test
    void theCpuIsDescribedWithTheLibtorchThatLoadedAndWhereItCameFrom() {
        DeviceReport r = DeviceCheck.require("cpu");
        assertThat(r.device()).isEqualTo("cpu");
        assertThat(r.engineVersion()).isEqualTo(DeviceCheck.LIBTORCH_VERSION);
        assertThat(r.flavor()).isEqualTo("cpu");
        assertThat(r.source()).isEqualTo("Maven jar pytorch-native-cpu");
        assertThat(r.cuda()).isFalse();
        assertThat(r.logLine())
                .startsWith("device cpu: PyTorch 2.7.1, flavor cpu (Maven jar pytorch-native-cpu) at ")
                .contains(r.libtorchPath())
                .contains("CUDA no");
        assertThat(r.metricTags())
                .containsEntry("device", "cpu")
                .containsEntry("flavor", "cpu")
                .containsEntry("gpu", "none")
                .containsEntry("libtorch", "2.7.1");
    }

    @Test
    void aGpuAskedOfTheCpuLibtorchIsRefusedNamingWhatToSet() {
        assertThatThrownBy(() -> DeviceCheck.require("cuda:0"))
                .isInstanceOf(DeviceUnavailableException.class)
                .hasMessageStartingWith("--device cuda:0: the loaded libtorch cannot use a GPU")
                .hasMessageContaining("flavor cpu")
                .hasMessageContaining("-Dpytorch.native=none")
                .hasMessageContaining("PYTORCH_FLAVOR=cu128")
                .hasMessageContaining("DJL_OFFLINE=false")
                .hasMessageContaining("PYTORCH_LIBRARY_PATH")
                .hasMessageContaining("--device cpu");
    }

    @Test
    void settingsThatNameNoDeviceAreRefusedNamingTheOption() {
        for (String bad : List.of("cuda:x", "tpu", "cuda:-1", "")) {
            assertThatThrownBy(() -> DeviceCheck.require(bad))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("--device")
                    .hasMessageContaining("expected cpu, cuda or cuda:N");
        }
        assertThat(DeviceCheck.parse("CUDA")).isEqualTo(Device.gpu(0));
        assertThat(DeviceCheck.parse(" cuda:3 ")).isEqualTo(Device.gpu(3));
    }

    @Test
    void aDeviceThatStopsComputingIsReportedUnusableForGood() {
        DeviceHealth cpu = new DeviceHealth(Device.cpu());
        assertThat(cpu.requestRecheck()).isTrue();
        assertThat(cpu.recheck()).isTrue();
        assertThat(cpu.usable()).isTrue();
        // A GPU this process cannot compute on: what a lost GPU looks like to the check.
        DeviceHealth gpu = new DeviceHealth(Device.gpu(0));
        assertThat(gpu.usable()).isTrue();
        assertThat(gpu.requestRecheck()).isTrue();
        assertThat(gpu.requestRecheck()).as("one check for a burst of failures").isFalse();
        assertThat(gpu.recheck()).isFalse();
        assertThat(gpu.usable()).isFalse();
        assertThat(gpu.problem()).startsWith("cuda:0 no longer computes: ");
        assertThat(gpu.requestRecheck()).as("no further checks once unusable").isFalse();
    }

    @Test
    void aGpuBuildRunOfflineWithNothingCachedIsRefusedNamingTheDownloadAndPathSettings(@TempDir Path emptyCache)
            throws Exception {
        try (JavaProcess p = JavaProcess.of(StarGanCli.class)
                .withoutCpuLibtorch()
                .env("PYTORCH_FLAVOR", "cu128")
                .env("DJL_OFFLINE", "true")
                .env("DJL_CACHE_DIR", emptyCache.toString())
                .args("device", "--device", "cuda:0")
                .start()) {
            assertThat(p.exitCode(Duration.ofSeconds(120))).as(p.output()).isEqualTo(2);
            assertThat(p.output())
                    .contains("--device cuda:0: libtorch did not load")
                    .contains("PYTORCH_FLAVOR=cu128")
                    .contains("DJL_OFFLINE=true")
                    .contains("set DJL_OFFLINE=false")
                    .contains("PYTORCH_LIBRARY_PATH, PYTORCH_FLAVOR and PYTORCH_VERSION=2.7.1");
        }
    }

    @Test
    void nvidiaSmiLinesAreReadAndNumberedAsCudaNumbersThem() {
        List<GpuInventory.Gpu> physical = GpuInventory.parse(List.of(
                "0, GPU-aaaa1111, NVIDIA H200, 143771, 512",
                "1, GPU-bbbb2222, NVIDIA H200, 143771, 80000",
                "2, GPU-cccc3333, NVIDIA H100 80GB HBM3, 81559, [N/A]",
                "garbage"));
        assertThat(physical).hasSize(2);
        assertThat(physical.get(0).name()).isEqualTo("NVIDIA H200");
        assertThat(physical.get(0).totalBytes()).isEqualTo(143771L << 20);
        assertThat(physical.get(1).usedBytes()).isEqualTo(80000L << 20);
        assertThat(GpuInventory.visible(physical, null)).isEqualTo(physical);
        // CUDA_VISIBLE_DEVICES=1 makes physical GPU 1 cuda:0; a UUID prefix names a GPU too; the list stops at a miss.
        assertThat(GpuInventory.visible(physical, "1")).containsExactly(physical.get(1));
        assertThat(GpuInventory.visible(physical, "GPU-bbbb,0")).containsExactly(physical.get(1), physical.get(0));
        assertThat(GpuInventory.visible(physical, "7,0")).isEmpty();
    }
}
