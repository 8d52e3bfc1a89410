package org.stargan.device;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.engine.StandardCapabilities;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.pytorch.jni.LibUtils;
import ai.djl.util.Utils;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a process computes with: the device it was given, the libtorch DJL loaded (version, flavor, where it came from,
 * where it lies), whether that libtorch can use CUDA, and the GPUs visible. Workers log it at start ({@link #logLine})
 * and export it as a metric ({@link #INFO_METRIC} with {@link #metricTags}).
 *
 * @param device the device setting, normalised ({@code cpu}, {@code cuda:0})
 * @param engineVersion libtorch's version as DJL reports it
 * @param flavor {@code cpu}, {@code cu128}, ... ({@code unknown} for an unnamed libtorch given by path)
 * @param source where the libtorch came from: a Maven jar, {@code PYTORCH_LIBRARY_PATH}, or DJL's download cache
 * @param libtorchPath the directory it was loaded from
 * @param cuda whether this libtorch can use a GPU here (a CUDA build, a driver and a visible GPU)
 * @param cudnn whether cuDNN is available to it
 * @param cudnnBenchmark whether cuDNN autotuning is on
 * @param intraOpThreads libtorch's intra-op thread count
 * @param gpus the GPUs visible to this process, in CUDA's order
 */
public record DeviceReport(
        String device,
        String engineVersion,
        String flavor,
        String source,
        String libtorchPath,
        boolean cuda,
        boolean cudnn,
        boolean cudnnBenchmark,
        int intraOpThreads,
        List<GpuInventory.Gpu> gpus) {
    /** Gauge 1 labelled with {@link #metricTags}: which device, libtorch flavor and GPU a worker computes with. */
    public static final String INFO_METRIC = "stargan_device_info";

    /** Gauge: bytes in use on the worker's GPU (whole device, all processes); absent on the CPU. */
    public static final String MEMORY_USED_METRIC = "stargan_device_memory_used_bytes";

    /** Gauge: the worker's GPU's memory size; absent on the CPU. */
    public static final String MEMORY_TOTAL_METRIC = "stargan_device_memory_total_bytes";

    /** Gauge 1 while the device computes, 0 once a check found it unusable ({@link DeviceHealth}). */
    public static final String USABLE_METRIC = "stargan_device_usable";

    private static final Pattern CACHE_DIR =
            Pattern.compile("\\d+\\.\\d+\\.\\d+(?:-\\d{8})?-(.+)-(?:linux|osx|win)-(?:x86_64|aarch64)");

    /** Describes {@code device} with the libtorch already loaded in this JVM. */
    public static DeviceReport describe(Device device) {
        Engine engine = Engine.getInstance();
        String path = LibUtils.getLibtorchPath();
        return new DeviceReport(
                name(device),
                engine.getVersion(),
                detectFlavor(path),
                detectSource(),
                path,
                engine.hasCapability(StandardCapabilities.CUDA),
                engine.hasCapability(StandardCapabilities.CUDNN),
                Boolean.getBoolean("ai.djl.pytorch.cudnn_benchmark") || benchmarkRequested,
                JniUtils.getNumThreads(),
                GpuInventory.query());
    }

    /** Set by {@link DeviceCheck} when it turns cuDNN autotuning on (libtorch has no getter). */
    static volatile boolean benchmarkRequested;

    /** The setting's canonical form: {@code cpu} or {@code cuda:N}. */
    public static String name(Device device) {
        return device.isGpu() ? "cuda:" + device.getDeviceId() : "cpu";
    }

    /** The GPU this report's device is, or null (the CPU, or a GPU that {@code nvidia-smi} does not list). */
    public GpuInventory.Gpu gpu() {
        if (!device.startsWith("cuda:")) {
            return null;
        }
        int i = Integer.parseInt(device.substring(5));
        return i < gpus.size() ? gpus.get(i) : null;
    }

    /** One line for the log, e.g. {@code device cuda:0 (NVIDIA H200, 139.8 GiB, 0.5 GiB in use): PyTorch 2.7.1 ...}. */
    public String logLine() {
        GpuInventory.Gpu g = gpu();
        StringBuilder s = new StringBuilder("device ").append(device);
        if (g != null) {
            s.append(String.format(
                    Locale.ROOT,
                    " (%s, %.1f GiB, %.1f GiB in use)",
                    g.name(),
                    gib(g.totalBytes()),
                    gib(g.usedBytes())));
        }
        s.append(": PyTorch ")
                .append(engineVersion)
                .append(", flavor ")
                .append(flavor)
                .append(" (")
                .append(source)
                .append(") at ")
                .append(libtorchPath);
        s.append(", CUDA ").append(cuda ? "yes" : "no");
        if (cuda) {
            s.append(", cuDNN ").append(cudnn ? "yes" : "no");
            s.append(cudnnBenchmark ? " (benchmark on)" : " (benchmark off)");
        } else {
            s.append(", ").append(intraOpThreads).append(" intra-op threads");
        }
        s.append(", GPUs visible: ").append(gpus.size());
        for (GpuInventory.Gpu v : gpus) {
            s.append(gpus.indexOf(v) == 0 ? " [" : ", ").append(v.name());
        }
        return gpus.isEmpty() ? s.toString() : s.append(']').toString();
    }

    /**
     * A warning when a GPU is visible but the process computes on the CPU (a GPU reserved for a container that then
     * sits idle), or null.
     */
    public String idleGpuWarning() {
        if (!device.equals("cpu") || gpus.isEmpty()) {
            return null;
        }
        return gpus.size() + " GPU(s) visible (" + gpus.get(0).name() + (gpus.size() > 1 ? ", ..." : "")
                + ") but the device is cpu: pass --device cuda:0 (or STARGAN_DEVICE=cuda:0) with a CUDA libtorch"
                + " (PYTORCH_FLAVOR=cu128; README, GPUs) to compute on it";
    }

    /** The labels of {@link #INFO_METRIC}: device, flavor, gpu (its name, or {@code none}), libtorch (version). */
    public Map<String, String> metricTags() {
        Map<String, String> t = new LinkedHashMap<>();
        GpuInventory.Gpu g = gpu();
        t.put("device", device);
        t.put("flavor", flavor);
        t.put("gpu", g != null ? g.name() : device.equals("cpu") ? "none" : "unknown");
        t.put("libtorch", engineVersion);
        return t;
    }

    private static double gib(long bytes) {
        return bytes / (double) (1L << 30);
    }

    /** PYTORCH_FLAVOR when set (DJL then loads that flavor); else read off the bundled jar or the cache directory. */
    static String detectFlavor(String libtorchPath) {
        String forced = Utils.getEnvOrSystemProperty("PYTORCH_FLAVOR");
        if (forced != null && !forced.isBlank()) {
            return forced;
        }
        Matcher m = CACHE_DIR.matcher(Path.of(libtorchPath).getFileName().toString());
        if (m.matches()) {
            return m.group(1);
        }
        String bundled = bundledFlavor();
        return bundled != null && Utils.getEnvOrSystemProperty("PYTORCH_LIBRARY_PATH") == null ? bundled : "unknown";
    }

    /** Where the libtorch came from, following DJL's order: an explicit path, a native jar, its download cache. */
    static String detectSource() {
        if (Utils.getEnvOrSystemProperty("PYTORCH_LIBRARY_PATH") != null) {
            return "PYTORCH_LIBRARY_PATH";
        }
        String bundled = bundledFlavor();
        if (bundled != null && Utils.getEnvOrSystemProperty("PYTORCH_VERSION") == null) {
            return "Maven jar pytorch-native-" + bundled;
        }
        return "DJL download cache";
    }

    /**
     * The flavor of a DJL native jar on the classpath, or null when there is none. DJL takes such a jar on any machine
     * and then never downloads another build.
     */
    static String bundledFlavor() {
        try (InputStream in =
                DeviceReport.class.getClassLoader().getResourceAsStream("native/lib/pytorch.properties")) {
            if (in == null) {
                return null;
            }
            Properties p = new Properties();
            p.load(in);
            return p.getProperty("placeholder") != null ? null : p.getProperty("flavor", "unknown");
        } catch (IOException e) {
            return null;
        }
    }
}
