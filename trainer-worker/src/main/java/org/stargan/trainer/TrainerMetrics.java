package org.stargan.trainer;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.prometheus.metrics.core.metrics.Info;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.stargan.device.DeviceHealth;
import org.stargan.device.DeviceReport;
import org.stargan.device.GpuInventory;
import org.stargan.device.GpuMemory;
import org.stargan.msg.TrainEvent;

/**
 * The trainers' Prometheus metrics: per job the seven losses, learning rate, iteration and speed; job states;
 * checkpoints; the device; the JVM and process metrics every service exports.
 *
 * <p>A job is labelled {@code training_job}, never {@code job}: {@code job} and {@code instance} are the labels
 * Prometheus gives every scraped target, and it renames a clashing application label to {@code exported_job}, which
 * no dashboard asks for. Counters exist at 0 from the start, so the first event of each kind is an increase that
 * {@code increase()} and {@code rate()} can see.
 */
final class TrainerMetrics {
    static final PrometheusMeterRegistry REGISTRY = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    /** The job states a trainer reports, as {@code type} labels of {@code stargan_train_job_events_total}. */
    static final List<TrainEvent.Type> STATES =
            List.of(TrainEvent.Type.RUNNING, TrainEvent.Type.DONE, TrainEvent.Type.FAILED, TrainEvent.Type.CANCELLED);

    private static final Map<String, double[]> VALUES = new ConcurrentHashMap<>();
    private static final Map<TrainEvent.Type, Counter> STATE_COUNTERS = new ConcurrentHashMap<>();
    private static final Counter CHECKPOINTS = Counter.builder("stargan_train_checkpoints")
            .description("checkpoints written")
            .register(REGISTRY);
    private static Info deviceInfo;

    static {
        new JvmMemoryMetrics().bindTo(REGISTRY);
        new JvmGcMetrics().bindTo(REGISTRY);
        new JvmThreadMetrics().bindTo(REGISTRY);
        new ClassLoaderMetrics().bindTo(REGISTRY);
        new ProcessorMetrics().bindTo(REGISTRY);
        new UptimeMetrics().bindTo(REGISTRY);
        for (TrainEvent.Type state : STATES) {
            STATE_COUNTERS.put(
                    state,
                    Counter.builder("stargan_train_job_events")
                            .tag("type", state.wire())
                            .description("training job state changes")
                            .register(REGISTRY));
        }
    }

    private TrainerMetrics() {}

    /** Records a job's latest state (called every iteration, so it only updates numbers). */
    static void progress(String job, long iteration, double itPerSec, Map<String, Double> losses, double lr) {
        gauge(job, "iteration", "stargan_train_iteration", null)[0] = iteration;
        gauge(job, "it_per_s", "stargan_train_iterations_per_second", null)[0] = itPerSec;
        gauge(job, "lr", "stargan_train_learning_rate", null)[0] = lr;
        losses.forEach((name, v) -> gauge(job, name, "stargan_train_loss", name)[0] = v);
    }

    /**
     * Which device, libtorch and GPU this trainer computes with ({@code stargan_device_info}, a Prometheus info metric
     * registered with the Prometheus client itself: Micrometer would drop the reserved {@code _info} suffix), whether it
     * still computes, and on a GPU its memory in use and size.
     */
    static synchronized void device(DeviceReport report, DeviceHealth health) {
        if (deviceInfo == null) {
            deviceInfo = Info.builder()
                    .name(DeviceReport.INFO_METRIC)
                    .help("the device, libtorch flavor and GPU this trainer computes with")
                    .labelNames(report.metricTags().keySet().toArray(String[]::new))
                    .register(REGISTRY.getPrometheusRegistry());
        }
        deviceInfo.addLabelValues(report.metricTags().values().toArray(String[]::new));
        Gauge.builder(DeviceReport.USABLE_METRIC, health, h -> h.usable() ? 1 : 0)
                .description("1 while the device computes, 0 once a check found it unusable")
                .tag("device", report.device())
                .register(REGISTRY);
        if (health.device().isGpu()) {
            Gauge.builder(DeviceReport.MEMORY_USED_METRIC, new GpuMemory(health.device()), GpuMemory::usedBytes)
                    .description("bytes in use on this trainer's GPU (all processes)")
                    .tag("device", report.device())
                    .register(REGISTRY);
            GpuInventory.Gpu gpu = report.gpu();
            if (gpu != null) {
                Gauge.builder(DeviceReport.MEMORY_TOTAL_METRIC, gpu, GpuInventory.Gpu::totalBytes)
                        .description("memory size of this trainer's GPU")
                        .tag("device", report.device())
                        .register(REGISTRY);
            }
        }
    }

    /** Counts a job entering {@code state}, one of {@link #STATES}. */
    static void state(TrainEvent.Type state) {
        Counter c = STATE_COUNTERS.get(state);
        if (c == null) {
            throw new IllegalArgumentException("state: " + state + ", expected one of " + STATES);
        }
        c.increment();
    }

    static void checkpoint() {
        CHECKPOINTS.increment();
    }

    private static double[] gauge(String job, String key, String metric, String lossName) {
        return VALUES.computeIfAbsent(job + "/" + key, k -> {
            double[] holder = new double[1];
            Gauge.Builder<double[]> b = Gauge.builder(metric, holder, h -> h[0]).tag("training_job", job);
            if (lossName != null) {
                b.tag("name", lossName);
            }
            b.register(REGISTRY);
            return holder;
        });
    }
}
