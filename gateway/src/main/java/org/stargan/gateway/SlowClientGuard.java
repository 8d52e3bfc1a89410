package org.stargan.gateway;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.IdentityHashMap;
import java.util.Map;

/**
 * Closes the connections of clients that are too slow or silent to be served (slowloris and its kin), so that they
 * cannot hold the gateway's connections: a connection must deliver a request's line and headers within
 * {@link ConnectionLimits#headerTimeoutMillis()} of opening or of its previous response ending (no response is possible
 * without them: it is closed), and the request's body within {@link ConnectionLimits#bodyTimeoutMillis()} of its
 * headers (answered 408, then closed). A connection upgraded to a WebSocket, or streaming events, is under neither
 * once its request is in; the server's idle timeout covers those. Each closing is counted by reason
 * ({@code header_timeout}, {@code body_timeout}). Event loop only.
 */
final class SlowClientGuard {
    private final Vertx vertx;
    private final ConnectionLimits limits;
    private final ApiErrors errors;
    /** Open connections, each with its header timer's id, or −1 while a request is being served. */
    private final Map<HttpConnection, Long> open = new IdentityHashMap<>();

    SlowClientGuard(Vertx vertx, ConnectionLimits limits, ApiErrors errors) {
        this.vertx = vertx;
        this.limits = limits;
        this.errors = errors;
    }

    /** For {@code HttpServer.connectionHandler}: the first request's headers are due. */
    void connected(HttpConnection connection) {
        awaitHeaders(connection);
        connection.closeHandler(v -> {
            Long timer = open.remove(connection);
            if (timer != null && timer >= 0) {
                vertx.cancelTimer(timer);
            }
        });
    }

    /**
     * The first handler of every route: the headers are in, so the body is now due; once the response has ended, the
     * next request's headers are.
     */
    void requestArrived(RoutingContext ctx) {
        HttpServerRequest req = ctx.request();
        HttpConnection connection = req.connection();
        Long headerTimer = open.get(connection);
        if (headerTimer != null && headerTimer >= 0) {
            vertx.cancelTimer(headerTimer);
            open.put(connection, -1L);
        }
        long bodyTimer = vertx.setTimer(limits.bodyTimeoutMillis(), t -> {
            if (!req.isEnded()) {
                bodyTooSlow(req);
            }
        });
        boolean upgrade = "websocket".equalsIgnoreCase(req.getHeader("Upgrade"));
        ctx.addEndHandler(v -> {
            vertx.cancelTimer(bodyTimer);
            Long timer = open.get(connection);
            if (!upgrade && timer != null && timer < 0) {
                awaitHeaders(connection); // still open, and idle until its next request
            }
        });
        ctx.next();
    }

    private void awaitHeaders(HttpConnection connection) {
        open.put(connection, vertx.setTimer(limits.headerTimeoutMillis(), t -> {
            open.put(connection, -1L);
            errors.count("header_timeout");
            connection.close();
        }));
    }

    /** Connections open now (for tests and metrics). */
    int connections() {
        return open.size();
    }

    private void bodyTooSlow(HttpServerRequest req) {
        errors.count("body_timeout");
        var res = req.response();
        if (res.ended() || res.headWritten()) {
            req.connection().close();
            return;
        }
        res.setStatusCode(408)
                .putHeader("Content-Type", "application/json")
                .putHeader("Connection", "close")
                .end(new JsonObject()
                        .put("error", "timeout")
                        .put(
                                "message",
                                "body: not received within " + limits.bodyTimeoutMillis()
                                        + " ms of the request's headers (this gateway's body timeout)")
                        .encode())
                .onComplete(ar -> req.connection().close());
    }
}
