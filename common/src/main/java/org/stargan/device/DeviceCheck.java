package org.stargan.device;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.pytorch.jni.LibUtils;
import ai.djl.util.Utils;
import java.util.Locale;

/**
 * Checks, before any work is taken, that the device a process was given can compute: libtorch loads, and a GPU device
 * is one the loaded libtorch can use. Otherwise it fails with a {@link DeviceUnavailableException} whose message
 * names the setting at fault and what to set, so a worker refuses to start instead of taking work it would fail (or
 * quietly running on the CPU).
 *
 * <p>How DJL picks libtorch (0.36): {@code PYTORCH_LIBRARY_PATH} first; else a native jar on the classpath, on any
 * machine; else its download cache, filled from DJL's site when online, for {@code PYTORCH_FLAVOR} or the detected
 * CUDA version. Each setting is read from the environment first, then from the system property of the same name
 * ({@code DJL_OFFLINE}: the environment, then {@code -Dai.djl.offline}).
 */
public final class DeviceCheck {
    /** The libtorch version this build's DJL (0.36) and its JNI bridge are made for. */
    public static final String LIBTORCH_VERSION = "2.7.1";

    /** The CUDA flavor DJL publishes for {@link #LIBTORCH_VERSION} and whose JNI bridge ships in pytorch-jni. */
    public static final String CUDA_FLAVOR = "cu128";

    private DeviceCheck() {}

    /**
     * Parses {@code setting} ({@code cpu}, {@code cuda}, {@code cuda:N}), loads libtorch, checks that it can compute
     * on the device, turns cuDNN autotuning on for a GPU (unless {@code -Dai.djl.pytorch.cudnn_benchmark=false}), and
     * describes what was found.
     *
     * @throws DeviceUnavailableException naming the setting and what to set
     * @throws IllegalArgumentException when {@code setting} names no device
     */
    public static DeviceReport require(String setting) {
        Device device = parse(setting);
        Engine engine;
        try {
            engine = Engine.getInstance();
        } catch (RuntimeException | UnsatisfiedLinkError e) {
            throw new DeviceUnavailableException(notLoaded(setting, e));
        }
        if (device.isGpu() && !engine.hasCapability(ai.djl.engine.StandardCapabilities.CUDA)) {
            throw new DeviceUnavailableException(noCuda(setting));
        }
        String problem = probe(device);
        if (problem != null) {
            throw new DeviceUnavailableException("--device " + setting + ": libtorch cannot compute on "
                    + DeviceReport.name(device) + " (" + problem + "); GPUs visible: "
                    + GpuInventory.query().size()
                    + ". Pick one of them (cuda:0 is the first that CUDA_VISIBLE_DEVICES leaves visible), or check the"
                    + " NVIDIA driver (nvidia-smi) and the container's GPU reservation.");
        }
        if (device.isGpu() && !"false".equals(System.getProperty("ai.djl.pytorch.cudnn_benchmark"))) {
            // Convolution shapes repeat (fixed training batches; serving pads batches to a few sizes), so autotuning
            // each shape once pays off.
            JniUtils.setBenchmarkCuDNN(true);
            DeviceReport.benchmarkRequested = true;
        }
        return DeviceReport.describe(device);
    }

    /**
     * {@link #require} for a service's start: on failure prints {@code <service>: failed to start: <why>} and exits with
     * status 1, before the service waits for anything else (a broker), so a worker that cannot compute says so at once.
     */
    public static void requireOrExit(String service, String setting) {
        try {
            require(setting);
        } catch (IllegalArgumentException | IllegalStateException e) {
            System.err.println(service + ": failed to start: " + e.getMessage());
            System.exit(1);
        }
    }

    /** The device {@code setting} names; an {@link IllegalArgumentException} naming {@code --device} when none. */
    public static Device parse(String setting) {
        String v = setting == null ? "" : setting.trim().toLowerCase(Locale.ROOT);
        if (v.equals("cpu")) {
            return Device.cpu();
        }
        if (v.equals("cuda") || v.equals("gpu")) {
            return Device.gpu(0);
        }
        if (v.startsWith("cuda:")) {
            try {
                int id = Integer.parseInt(v.substring(5));
                if (id >= 0) {
                    return Device.gpu(id);
                }
            } catch (NumberFormatException ignored) {
                // reported below
            }
        }
        throw new IllegalArgumentException("--device: '" + setting + "', expected cpu, cuda or cuda:N");
    }

    /**
     * Null when {@code device} computes; else what went wrong. A tiny computation read back to the host: it creates the
     * device's context and touches its memory, which is where a missing or broken GPU shows.
     */
    static String probe(Device device) {
        try (NDManager m = NDManager.newBaseManager(device)) {
            NDArray ones = m.ones(new Shape(4));
            float sum = ones.sum().getFloat();
            return sum == 4f ? null : "a test sum gave " + sum + " instead of 4";
        } catch (RuntimeException e) {
            String msg = e.getMessage() == null ? e.toString() : e.getMessage();
            // libtorch's messages run over many lines (dispatch tables); the first says what failed.
            return msg.lines().findFirst().orElse(msg).trim();
        }
    }

    private static String notLoaded(String setting, Throwable e) {
        String cause = e.getMessage() == null
                ? e.toString()
                : e.getMessage().lines().findFirst().orElse("");
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        if (root != e && root.getMessage() != null) {
            cause += ": " + root.getMessage();
        }
        return "--device " + setting + ": libtorch did not load (" + cause + "). Settings in effect: " + settings()
                + ". Without a native jar on the classpath DJL uses PYTORCH_LIBRARY_PATH or its download cache"
                + " (DJL_CACHE_DIR), and fills the cache only when online: set DJL_OFFLINE=false once (with"
                + " PYTORCH_FLAVOR=" + CUDA_FLAVOR + " for a GPU), or set PYTORCH_LIBRARY_PATH, PYTORCH_FLAVOR and"
                + " PYTORCH_VERSION=" + LIBTORCH_VERSION + " for a libtorch " + LIBTORCH_VERSION
                + " you provide; the default build bundles the CPU libtorch (--device cpu).";
    }

    private static String noCuda(String setting) {
        String path = LibUtils.getLibtorchPath();
        String flavor = DeviceReport.detectFlavor(path);
        String loaded = "PyTorch " + Engine.getInstance().getVersion() + ", flavor " + flavor + ", from "
                + DeviceReport.detectSource() + " at " + path;
        if (flavor.startsWith("cu")) {
            return "--device " + setting + ": the loaded libtorch is a CUDA build (" + loaded + ") but sees no usable"
                    + " GPU: check the NVIDIA driver (nvidia-smi), CUDA_VISIBLE_DEVICES and the container's GPU"
                    + " reservation (compose: deploy.resources.reservations.devices; Kubernetes: an nvidia.com/gpu"
                    + " limit on the NVIDIA runtime class); or run on the CPU with --device cpu.";
        }
        String jar = DeviceReport.bundledFlavor();
        String why = jar != null
                ? " A native jar (pytorch-native-" + jar + ") on the classpath makes DJL load it on any machine: build"
                        + " without it (./mvnw -B -DskipTests -Dpytorch.native=none package; ./stargan leaves it out by"
                        + " itself when PYTORCH_FLAVOR or PYTORCH_LIBRARY_PATH is set), then set"
                : " Set";
        return "--device " + setting + ": the loaded libtorch cannot use a GPU (" + loaded + ")." + why
                + " PYTORCH_FLAVOR=" + CUDA_FLAVOR + " with DJL_OFFLINE=false (DJL downloads the CUDA libtorch "
                + LIBTORCH_VERSION + " once into DJL_CACHE_DIR), or PYTORCH_LIBRARY_PATH, PYTORCH_FLAVOR and"
                + " PYTORCH_VERSION=" + LIBTORCH_VERSION + " for a CUDA libtorch you provide; or run on the CPU with"
                + " --device cpu. Settings in effect: " + settings() + ".";
    }

    /** The settings that decide which libtorch loads, as DJL reads them. */
    static String settings() {
        StringBuilder s = new StringBuilder();
        for (String name :
                new String[] {"PYTORCH_FLAVOR", "PYTORCH_LIBRARY_PATH", "PYTORCH_VERSION", "DJL_CACHE_DIR"}) {
            String v = Utils.getEnvOrSystemProperty(name);
            s.append(name).append('=').append(v == null ? "(unset)" : v).append(", ");
        }
        return s.append("DJL_OFFLINE=").append(Utils.isOfflineMode()).toString();
    }
}
