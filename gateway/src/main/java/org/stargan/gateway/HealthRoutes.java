package org.stargan.gateway;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.StaticHandler;
import java.io.IOException;
import java.io.InputStream;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * What operators and browsers read without a key: liveness, readiness (the broker reachable — the state admission
 * uses —, its reply topic assigned, a model announced and some inference worker holding a request partition), Prometheus metrics, the API description and the web UI.
 */
final class HealthRoutes {
    /** The API description, served at /openapi.yaml. */
    static final Buffer OPENAPI = resource("/openapi.yaml");

    private final ModelCatalog catalog;
    private final WorkerProbe workers;
    private final Supplier<String> brokerProblem;
    private final BooleanSupplier connected;
    private final String replyTopic;
    private final String requestTopic;
    private final GatewayMetrics metrics;
    private final ApiErrors errors;

    HealthRoutes(
            ModelCatalog catalog,
            WorkerProbe workers,
            Supplier<String> brokerProblem,
            BooleanSupplier connected,
            String replyTopic,
            String requestTopic,
            GatewayMetrics metrics,
            ApiErrors errors) {
        this.catalog = catalog;
        this.workers = workers;
        this.brokerProblem = brokerProblem;
        this.connected = connected;
        this.replyTopic = replyTopic;
        this.requestTopic = requestTopic;
        this.metrics = metrics;
        this.errors = errors;
    }

    /** Adds the routes, the web UI's static files among them (from the classpath, no external CDN). */
    void mount(Router r) {
        r.get("/health/live").handler(ctx -> ctx.json(new JsonObject().put("status", "up")));
        r.get("/health/ready").handler(this::ready);
        r.get("/metrics")
                .handler(ctx -> ctx.response()
                        .putHeader("content-type", "text/plain; version=0.0.4")
                        .end(metrics.scrape()));
        r.get("/openapi.yaml")
                .handler(ctx -> ctx.response()
                        .putHeader("Content-Type", "application/yaml")
                        .end(OPENAPI));
        r.get("/").handler(ctx -> ctx.reroute("/index.html"));
        r.route("/*").handler(StaticHandler.create("webroot").setCachingEnabled(false));
    }

    private void ready(RoutingContext ctx) {
        String away = brokerProblem.get();
        if (away != null) {
            // The state admission refuses translations by: ready and admitting agree.
            ctx.response().putHeader("Retry-After", "1");
            errors.send(ctx, 503, "unavailable", away);
        } else if (!connected.getAsBoolean()) {
            errors.send(
                    ctx,
                    503,
                    "unavailable",
                    "not yet connected to the broker (reply topic " + replyTopic + " unassigned)");
        } else if (catalog.isEmpty()) {
            errors.send(ctx, 503, "unavailable", "no model is served yet");
        } else {
            workers.workers()
                    .onSuccess(n -> {
                        if (n == 0) {
                            errors.send(ctx, 503, "unavailable", "no inference worker is consuming " + requestTopic);
                        } else {
                            ctx.json(new JsonObject().put("status", "ready").put("workers", n));
                        }
                    })
                    .onFailure(
                            e -> errors.send(ctx, 503, "unavailable", "the broker did not answer: " + e.getMessage()));
        }
    }

    /** A classpath resource's bytes; a missing one is a packaging error. */
    static Buffer resource(String name) {
        try (InputStream in = HealthRoutes.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + name);
            }
            return Buffer.buffer(in.readAllBytes());
        } catch (IOException e) {
            throw new IllegalStateException("missing resource " + name, e);
        }
    }
}
