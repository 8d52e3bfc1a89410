package org.stargan.inference;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;
import java.util.function.Supplier;
import org.stargan.device.DeviceHealth;
import org.stargan.device.DeviceReport;

/**
 * The worker's {@code /metrics} and health routes. {@code /health/live} answers 503 once the device no longer computes
 * (a lost or poisoned GPU does not recover inside a process: an orchestrator should restart the worker);
 * {@code /health/ready} answers 200 only while the device computes and a model is loaded.
 */
final class WorkerHealthRoutes implements Handler<HttpServerRequest> {
    private final PrometheusMeterRegistry registry;
    private final DeviceHealth health;
    private final Supplier<String> notReady;

    /**
     * @param notReady why the worker cannot serve yet (e.g. no model loaded), or null when it can
     */
    WorkerHealthRoutes(PrometheusMeterRegistry registry, DeviceHealth health, Supplier<String> notReady) {
        this.registry = registry;
        this.health = health;
        this.notReady = notReady;
    }

    @Override
    public void handle(HttpServerRequest req) {
        switch (req.path()) {
            case "/metrics" ->
                req.response()
                        .putHeader("content-type", "text/plain; version=0.0.4")
                        .end(registry.scrape());
            case "/health/live" -> answer(req, health.usable() ? null : health.problem(), "up");
            case "/health/ready" -> answer(req, health.usable() ? notReady.get() : health.problem(), "ready");
            default -> req.response().setStatusCode(404).end();
        }
    }

    private void answer(HttpServerRequest req, String problem, String okStatus) {
        JsonObject body = new JsonObject()
                .put("status", problem == null ? okStatus : problem)
                .put("device", DeviceReport.name(health.device()));
        req.response()
                .setStatusCode(problem == null ? 200 : 503)
                .putHeader("content-type", "application/json")
                .end(body.encode());
    }
}
