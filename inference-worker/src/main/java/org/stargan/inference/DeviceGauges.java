package org.stargan.inference;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.prometheus.metrics.core.metrics.Info;
import java.util.LinkedHashMap;
import java.util.Map;
import org.stargan.device.DeviceHealth;
import org.stargan.device.DeviceReport;
import org.stargan.device.GpuInventory;
import org.stargan.device.GpuMemory;

/**
 * Exports what a worker computes with: {@code stargan_device_info{device, flavor, gpu, libtorch}} (a Prometheus info
 * metric, registered with the Prometheus client itself: Micrometer would drop the reserved {@code _info} suffix),
 * {@code stargan_device_usable}, and on a GPU its memory in use and size.
 */
final class DeviceGauges {
    private DeviceGauges() {}

    static void register(
            PrometheusMeterRegistry registry, DeviceReport report, DeviceHealth health, Map<String, String> extra) {
        Map<String, String> labels = new LinkedHashMap<>(report.metricTags());
        labels.putAll(extra);
        Info info = Info.builder()
                .name(DeviceReport.INFO_METRIC)
                .help("the device, libtorch flavor and GPU this worker computes with")
                .labelNames(labels.keySet().toArray(String[]::new))
                .register(registry.getPrometheusRegistry());
        info.addLabelValues(labels.values().toArray(String[]::new));
        Tags device = Tags.of("device", report.device());
        Gauge.builder(DeviceReport.USABLE_METRIC, health, h -> h.usable() ? 1 : 0)
                .description("1 while the device computes, 0 once a check found it unusable")
                .tags(device)
                .register(registry);
        if (health.device().isGpu()) {
            Gauge.builder(DeviceReport.MEMORY_USED_METRIC, new GpuMemory(health.device()), GpuMemory::usedBytes)
                    .description("bytes in use on this worker's GPU (all processes)")
                    .tags(device)
                    .register(registry);
            GpuInventory.Gpu gpu = report.gpu();
            if (gpu != null) {
                Gauge.builder(DeviceReport.MEMORY_TOTAL_METRIC, gpu, GpuInventory.Gpu::totalBytes)
                        .description("memory size of this worker's GPU")
                        .tags(device)
                        .register(registry);
            }
        }
    }
}
