package org.stargan.inference;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.stargan.device.DeviceHealth;
import org.stargan.device.DeviceReport;

/**
 * The worker's Prometheus metrics, as the Serving and JVM dashboards read them: requests, images, batch sizes, queue
 * and compute times, failures by reason, pending requests, loaded versions, the request group's lag behind its
 * commits, the device, and the JVM and process metrics every service exports. Every series carries {@code worker};
 * none is labelled {@code job} or {@code instance}, the labels Prometheus gives the scraped target.
 */
final class InferenceMetrics implements AutoCloseable {
    final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final Counter requests;
    private final Counter results;
    private final DistributionSummary batchSize;
    private final Timer queueTime;
    private final Timer computeTime;
    private final Counter evicted;
    private final JvmGcMetrics gc = new JvmGcMetrics();

    InferenceMetrics(String workerId, Supplier<Number> pending, Supplier<Number> loadedVersions) {
        registry.config().commonTags("worker", workerId);
        requests = Counter.builder("stargan_inference_requests")
                .description("translate requests received")
                .register(registry);
        results = Counter.builder("stargan_inference_images")
                .description("images translated")
                .register(registry);
        batchSize = DistributionSummary.builder("stargan_inference_batch_size")
                .description("requests per batch")
                .serviceLevelObjectives(1, 2, 4, 8, 16, 32, 64, 128, 256)
                .register(registry);
        queueTime = Timer.builder("stargan_inference_queue")
                .description("time from receipt to batch start")
                .publishPercentileHistogram()
                .register(registry);
        computeTime = Timer.builder("stargan_inference_compute")
                .description("batch compute time")
                .publishPercentileHistogram()
                .register(registry);
        Gauge.builder("stargan_inference_pending", pending)
                .description("requests received but not answered")
                .register(registry);
        Gauge.builder("stargan_inference_model_versions", loadedVersions)
                .description("model versions loaded")
                .register(registry);
        evicted = Counter.builder("stargan_inference_model_evictions")
                .description("model versions freed to make room for newer ones")
                .register(registry);
        new JvmMemoryMetrics().bindTo(registry);
        gc.bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ClassLoaderMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        // Every failure reason exists from the start (at 0), so dashboards and alerts see the series before trouble.
        for (String reason : new String[] {"rejected", "compute", "publish", "model_load", "bad_announcement"}) {
            Counter.builder("stargan_inference_failures")
                    .tag("reason", reason)
                    .description("requests that failed, by reason")
                    .register(registry);
        }
    }

    /** Which device, libtorch and GPU this worker computes with, whether it still computes, and the GPU's memory. */
    void device(String workerId, DeviceReport report, DeviceHealth health) {
        DeviceGauges.register(registry, report, health, Map.of("worker", workerId));
    }

    void evicted() {
        evicted.increment();
    }

    /** Exports {@code lag}'s latest figure per topic as {@code stargan_inference_consumer_lag_records}. */
    void watch(CommittedLag lag) {
        for (String topic : lag.topics()) {
            Gauge.builder("stargan_inference_consumer_lag_records", lag, l -> l.records(topic))
                    .tag("topic", topic)
                    .description("records of the request topic not yet committed by the workers' group")
                    .register(registry);
        }
    }

    void request() {
        requests.increment();
    }

    void batch(int size) {
        batchSize.record(size);
    }

    void done(TranslateJob.Output o) {
        results.increment();
        queueTime.record((long) (o.queueMs() * 1e6), TimeUnit.NANOSECONDS);
    }

    void compute(double ms) {
        computeTime.record((long) (ms * 1e6), TimeUnit.NANOSECONDS);
    }

    void failure(String reason) {
        Counter.builder("stargan_inference_failures")
                .tag("reason", reason)
                .description("requests that failed, by reason")
                .register(registry)
                .increment();
    }

    /** Stops listening for garbage collections. */
    @Override
    public void close() {
        gc.close();
    }
}
