package org.stargan.trainer;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** The trainers' Prometheus metrics: per job the seven losses, learning rate, iteration and speed; job states; checkpoints. */
final class TrainerMetrics {
    static final PrometheusMeterRegistry REGISTRY = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private static final Map<String, double[]> VALUES = new ConcurrentHashMap<>();

    static {
        new JvmMemoryMetrics().bindTo(REGISTRY);
    }

    private TrainerMetrics() {}

    /** Records a job's latest state (called every iteration, so it only updates numbers). */
    static void progress(String job, long iteration, double itPerSec, Map<String, Double> losses, double lr) {
        gauge(job, "iteration", "stargan_train_iteration", null)[0] = iteration;
        gauge(job, "it_per_s", "stargan_train_iterations_per_second", null)[0] = itPerSec;
        gauge(job, "lr", "stargan_train_learning_rate", null)[0] = lr;
        losses.forEach((name, v) -> gauge(job, name, "stargan_train_loss", name)[0] = v);
    }

    static void state(String job, String state) {
        Counter.builder("stargan_train_job_events")
                .tag("type", state)
                .description("training job state changes")
                .register(REGISTRY)
                .increment();
    }

    static void checkpoint() {
        Counter.builder("stargan_train_checkpoints")
                .description("checkpoints written")
                .register(REGISTRY)
                .increment();
    }

    private static double[] gauge(String job, String key, String metric, String lossName) {
        return VALUES.computeIfAbsent(job + "/" + key, k -> {
            double[] holder = new double[1];
            Gauge.Builder<double[]> b = Gauge.builder(metric, holder, h -> h[0]).tag("job", job);
            if (lossName != null) {
                b.tag("name", lossName);
            }
            b.register(REGISTRY);
            return holder;
        });
    }
}
