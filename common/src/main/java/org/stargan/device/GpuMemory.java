package org.stargan.device;

import ai.djl.Device;
import ai.djl.util.cuda.CudaUtils;
import java.util.List;

/**
 * Memory in use on a GPU (the whole device, every process), for the workers' {@code stargan_device_memory_used_bytes}.
 * From the CUDA runtime when the system has one (DJL's probe of {@code libcudart}); otherwise from {@code nvidia-smi},
 * asked at most every 10 s because it takes tens of milliseconds.
 */
public final class GpuMemory {
    private static final long NVIDIA_SMI_INTERVAL_NANOS = 10_000_000_000L;

    private final Device device;
    private long askedAt;
    private double lastAnswer = Double.NaN;

    /** For {@code device}, a GPU. */
    public GpuMemory(Device device) {
        if (!device.isGpu()) {
            throw new IllegalArgumentException("GpuMemory: " + device + " is not a GPU");
        }
        this.device = device;
    }

    /** Bytes in use, or NaN when neither source answers. */
    public synchronized double usedBytes() {
        if (CudaUtils.hasCuda()) {
            try {
                return CudaUtils.getGpuMemory(device).getCommitted();
            } catch (RuntimeException e) {
                // fall back to nvidia-smi
            }
        }
        long now = System.nanoTime();
        if (askedAt == 0 || now - askedAt > NVIDIA_SMI_INTERVAL_NANOS) {
            askedAt = now;
            List<GpuInventory.Gpu> gpus = GpuInventory.query();
            int i = device.getDeviceId();
            lastAnswer = i < gpus.size() ? gpus.get(i).usedBytes() : Double.NaN;
        }
        return lastAnswer;
    }
}
