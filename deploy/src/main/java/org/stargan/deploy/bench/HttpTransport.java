package org.stargan.deploy.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/** {@code POST /v1/translations} with the image as the raw body, as an API client of the gateway would send it. */
final class HttpTransport implements Transport {
    private final HttpClient client;
    private final HttpRequest request;
    private volatile String lastFailure = "";

    HttpTransport(URI translateUri, byte[] image, String contentType, String apiKey, Duration timeout) {
        // HTTP/1.1 with keep-alive: each concurrent request holds its own connection, as wrk/hey with -c N would.
        client = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(10))
                .build();
        HttpRequest.Builder b = HttpRequest.newBuilder(translateUri)
                .timeout(timeout)
                .header("Content-Type", contentType)
                .header("Accept", "image/png")
                .POST(HttpRequest.BodyPublishers.ofByteArray(image));
        if (apiKey != null) {
            b.header("X-API-Key", apiKey);
        }
        request = b.build();
    }

    @Override
    public CompletableFuture<Outcome> send() {
        return client.sendAsync(request, HttpResponse.BodyHandlers.ofByteArray())
                .thenApply(r -> {
                    if (r.statusCode() == 200) {
                        // The gateway passes on the worker's timings of this request.
                        return new Outcome(
                                Outcome.OK,
                                Transport.millis(
                                        r.headers().firstValue("X-Queue-Ms").orElse(null)),
                                Transport.millis(
                                        r.headers().firstValue("X-Compute-Ms").orElse(null)));
                    }
                    lastFailure = "HTTP " + r.statusCode() + " " + new String(r.body(), StandardCharsets.UTF_8).strip();
                    return Outcome.failed(Integer.toString(r.statusCode()));
                });
    }

    @Override
    public String lastFailureDetail() {
        return lastFailure;
    }

    @Override
    public void close() {
        // java.net.http.HttpClient has no close() before Java 21; its threads are daemons and its connections idle out.
    }
}
