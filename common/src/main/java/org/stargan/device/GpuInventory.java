package org.stargan.device;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The NVIDIA GPUs this process can see, with names and memory, as CUDA numbers them ({@code cuda:0} is the first entry).
 *
 * <p>Read from {@code nvidia-smi}, which NVIDIA's driver installs on hosts and its container toolkit mounts into GPU
 * containers: neither libtorch nor DJL reports a GPU's name, and DJL counts GPUs only through a system CUDA runtime
 * library that an image may lack. {@code nvidia-smi} numbers GPUs physically while CUDA numbers the ones that
 * {@code CUDA_VISIBLE_DEVICES} names, in its order; {@link #visible} maps one onto the other.
 */
public final class GpuInventory {
    private static final long MIB = 1L << 20;

    private GpuInventory() {}

    /**
     * One GPU.
     *
     * @param index physical index (nvidia-smi's)
     * @param uuid {@code GPU-…}
     * @param name e.g. {@code NVIDIA H200}
     * @param totalBytes memory size
     * @param usedBytes memory in use on the whole device (all processes)
     */
    public record Gpu(int index, String uuid, String name, long totalBytes, long usedBytes) {}

    /** The GPUs CUDA shows this process, in CUDA's order; empty when {@code nvidia-smi} is absent or sees none. */
    public static List<Gpu> query() {
        return visible(parse(nvidiaSmi()), System.getenv("CUDA_VISIBLE_DEVICES"));
    }

    /**
     * Parses {@code nvidia-smi --query-gpu=index,uuid,name,memory.total,memory.used --format=csv,noheader,nounits}
     * (memory in MiB); lines that do not fit are skipped.
     */
    static List<Gpu> parse(List<String> lines) {
        List<Gpu> gpus = new ArrayList<>();
        for (String line : lines) {
            String[] f = line.split(",");
            if (f.length != 5) {
                continue;
            }
            try {
                gpus.add(new Gpu(
                        Integer.parseInt(f[0].trim()),
                        f[1].trim(),
                        f[2].trim(),
                        Long.parseLong(f[3].trim()) * MIB,
                        Long.parseLong(f[4].trim()) * MIB));
            } catch (NumberFormatException e) {
                // "[N/A]" or a format of another driver version: not a GPU we can describe
            }
        }
        return gpus;
    }

    /**
     * The GPUs as CUDA numbers them under {@code cudaVisibleDevices} (null or absent: all, in physical order). Entries
     * are physical indices or UUIDs (or UUID prefixes); as in CUDA, the list ends at the first entry that names no GPU.
     */
    static List<Gpu> visible(List<Gpu> physical, String cudaVisibleDevices) {
        if (cudaVisibleDevices == null) {
            return physical;
        }
        List<Gpu> out = new ArrayList<>();
        for (String entry : cudaVisibleDevices.split(",")) {
            String e = entry.trim();
            Gpu match = null;
            for (Gpu g : physical) {
                if (e.equals(Integer.toString(g.index()))
                        || (e.startsWith("GPU-") && g.uuid().startsWith(e))) {
                    match = g;
                    break;
                }
            }
            if (match == null) {
                break;
            }
            out.add(match);
        }
        return out;
    }

    private static List<String> nvidiaSmi() {
        ProcessBuilder pb = new ProcessBuilder(
                        "nvidia-smi",
                        "--query-gpu=index,uuid,name,memory.total,memory.used",
                        "--format=csv,noheader,nounits")
                .redirectErrorStream(true);
        try {
            Process p = pb.start();
            List<String> lines = new ArrayList<>();
            try (BufferedReader r =
                    new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    lines.add(line);
                }
            }
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return List.of();
            }
            return p.exitValue() == 0 ? lines : List.of();
        } catch (IOException e) {
            return List.of(); // no nvidia-smi: no NVIDIA driver here, or a container without the driver's tools
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return List.of();
        }
    }
}
