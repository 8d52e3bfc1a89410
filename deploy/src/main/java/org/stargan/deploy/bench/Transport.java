package org.stargan.deploy.bench;

import java.util.concurrent.CompletableFuture;

/** One way of asking for a translation; the load client times it. */
interface Transport extends AutoCloseable {
    /** The outcome each successful request completes with; anything else names the failure (e.g. {@code 429}). */
    String OK = "ok";

    /** Sends one translation request; completes with {@link #OK} or a short reason, exceptionally on I/O failure. */
    CompletableFuture<String> send();

    /** A one-line description of the last failure's details (response body, error header), for the progress output. */
    String lastFailureDetail();

    @Override
    void close();
}
