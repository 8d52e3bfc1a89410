package org.stargan.deploy.bench;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * {@code POST /v1/translations} with the image as the raw body, as an API client of the gateway would send it.
 *
 * <p>On Vert.x's (Netty's) client with one event loop: the load client shares the machine with the services it
 * measures, and the JDK's {@code java.net.http} client, with its selector thread handing each response to an executor,
 * cost 1.57 ms of CPU per request at 128 px against 0.41 for the Kafka path's client (bench gateway's own figures),
 * which the gateway's path paid for in throughput.
 */
final class HttpTransport implements Transport {
    private final Vertx vertx;
    private final HttpClient client;
    private final RequestOptions request;
    private final Buffer body;
    private volatile String lastFailure = "";

    HttpTransport(
            URI translateUri, byte[] image, String contentType, String apiKey, Duration timeout, int connections) {
        vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1).setWorkerPoolSize(1));
        // HTTP/1.1 with keep-alive: each concurrent request holds its own connection, as wrk/hey with -c N would.
        client = vertx.createHttpClient(
                new HttpClientOptions().setKeepAlive(true).setConnectTimeout(10_000),
                new PoolOptions().setHttp1MaxSize(connections));
        request = new RequestOptions()
                .setMethod(HttpMethod.POST)
                .setAbsoluteURI(translateUri.toString())
                // The load client keeps each request's deadline; this frees the connection of an answer that stops
                // coming. Not setTimeout: that also arms a connect timer per request in Vert.x 5.0's pool, which can
                // fire on a request already served and log "Promise already completed" (eclipse-vertx/vert.x#6197).
                .setIdleTimeout(timeout.toMillis())
                .putHeader("Content-Type", contentType)
                .putHeader("Accept", "image/png");
        if (apiKey != null) {
            request.putHeader("X-API-Key", apiKey);
        }
        body = Buffer.buffer(image);
    }

    @Override
    public CompletableFuture<Outcome> send() {
        return client.request(request)
                .compose(req -> req.send(body))
                .compose(r -> r.body().map(b -> outcome(r, b)))
                .toCompletionStage()
                .toCompletableFuture();
    }

    private Outcome outcome(HttpClientResponse r, Buffer b) {
        if (r.statusCode() == 200) {
            // The gateway passes on the worker's timings of this request.
            return new Outcome(
                    Outcome.OK,
                    Transport.millis(r.getHeader("X-Queue-Ms")),
                    Transport.millis(r.getHeader("X-Compute-Ms")));
        }
        lastFailure = "HTTP " + r.statusCode() + " "
                + b.toString(StandardCharsets.UTF_8).strip();
        return Outcome.failed(Integer.toString(r.statusCode()));
    }

    @Override
    public String lastFailureDetail() {
        return lastFailure;
    }

    @Override
    public void close() {
        Future<Void> closed = client.close().eventually(vertx::close);
        try {
            closed.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            // Exiting anyway: the event loop thread is not a daemon, but the load client ends with System.exit.
        }
    }
}
