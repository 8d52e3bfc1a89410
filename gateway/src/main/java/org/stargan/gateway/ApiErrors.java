package org.stargan.gateway;

import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/** The gateway's JSON error answers, {@code {"error", "message"}}, each counted by reason. */
final class ApiErrors {
    private final GatewayMetrics metrics;

    ApiErrors(GatewayMetrics metrics) {
        this.metrics = metrics;
    }

    /** Answers {@code status} with error {@code code} (also the counted reason). */
    void send(RoutingContext ctx, int status, String code, String message) {
        send(ctx, status, code, code, message);
    }

    /** Answers with a JSON error and counts it by {@code reason} (finer than the code, e.g. why a 429). */
    void send(RoutingContext ctx, int status, String code, String reason, String message) {
        if (ctx.response().ended() || ctx.response().closed()) {
            return;
        }
        metrics.rejected(reason);
        ctx.response()
                .setStatusCode(status)
                .putHeader("Content-Type", "application/json")
                .end(new JsonObject().put("error", code).put("message", message).encode());
    }

    /** Counts a refusal answered some other way (a WebSocket error frame). */
    void count(String reason) {
        metrics.rejected(reason);
    }
}
