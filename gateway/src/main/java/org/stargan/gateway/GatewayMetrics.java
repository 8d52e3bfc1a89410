package org.stargan.gateway;

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
import io.vertx.ext.web.RoutingContext;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The gateway's Prometheus metrics: requests by route and status (latency histograms), rejections by reason, the
 * gauges the serving dashboard draws, and the JVM and process metrics every service exports. No label is named
 * {@code job} or {@code instance}: Prometheus sets those itself for the scraped target.
 */
final class GatewayMetrics {
    final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);

    GatewayMetrics() {
        new JvmMemoryMetrics().bindTo(registry);
        new JvmGcMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ClassLoaderMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
    }

    /** A gauge read at scrape time. */
    void gauge(String name, String description, Supplier<Number> value) {
        Gauge.builder(name, value).description(description).register(registry);
    }

    /** Counts a refused request by {@code reason}. */
    void rejected(String reason) {
        registry.counter("stargan_gateway_rejected_requests", "reason", reason).increment();
    }

    /** A route handler, first on every route, timing the request until its response ends. */
    void timeRequests(RoutingContext ctx) {
        long start = System.nanoTime();
        ctx.addBodyEndHandler(v -> Timer.builder("stargan_gateway_http_requests")
                .tag(
                        "route",
                        ctx.currentRoute() == null
                                ? "unknown"
                                : String.valueOf(ctx.currentRoute().getPath()))
                .tag("status", Integer.toString(ctx.response().getStatusCode()))
                .publishPercentileHistogram()
                .register(registry)
                .record(System.nanoTime() - start, TimeUnit.NANOSECONDS));
        ctx.next();
    }

    /** The Prometheus text exposition. */
    String scrape() {
        return registry.scrape();
    }
}
