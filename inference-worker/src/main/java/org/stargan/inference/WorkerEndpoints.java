package org.stargan.inference;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * The worker's small HTTP server for operators: {@code /metrics} (Prometheus), {@code /health/live} and
 * {@code /health/ready} (200 once a model is loaded, else 503).
 */
final class WorkerEndpoints {
    private final Supplier<String> scrape;
    private final BooleanSupplier ready;
    private HttpServer server;

    WorkerEndpoints(Supplier<String> scrape, BooleanSupplier ready) {
        this.scrape = scrape;
        this.ready = ready;
    }

    /** Listens on {@code port} of every address (0: a free one). */
    Future<Void> start(Vertx vertx, int port) {
        server = vertx.createHttpServer().requestHandler(this::handle);
        return server.listen(port, "0.0.0.0").mapEmpty();
    }

    private void handle(HttpServerRequest req) {
        switch (req.path()) {
            case "/metrics" ->
                req.response()
                        .putHeader("content-type", "text/plain; version=0.0.4")
                        .end(scrape.get());
            case "/health/live" -> req.response().end("{\"status\":\"up\"}");
            case "/health/ready" -> {
                boolean ok = ready.getAsBoolean();
                req.response()
                        .setStatusCode(ok ? 200 : 503)
                        .end(ok ? "{\"status\":\"ready\"}" : "{\"status\":\"no model loaded\"}");
            }
            default -> req.response().setStatusCode(404).end();
        }
    }

    /** The port it listens on, or −1 before it started. */
    int port() {
        return server == null ? -1 : server.actualPort();
    }

    /** Stops listening. */
    Future<Void> close() {
        return server == null ? Future.succeededFuture() : server.close();
    }
}
