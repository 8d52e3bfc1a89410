package org.stargan.deploy.bench;

import java.util.concurrent.CompletableFuture;

/** One way of asking for a translation; the load client times it. */
interface Transport extends AutoCloseable {
    /**
     * How one request ended.
     *
     * @param status {@link #OK}, or a short failure reason such as {@code 429} or {@code kafka:error}
     * @param queueMs the worker's reported wait from receipt to batch start (NaN when not reported)
     * @param computeMs the worker's reported time of the batch that held the request (NaN when not reported)
     */
    record Outcome(String status, double queueMs, double computeMs) {
        /** The status of a successful request. */
        static final String OK = "ok";

        static Outcome failed(String status) {
            return new Outcome(status, Double.NaN, Double.NaN);
        }

        boolean ok() {
            return OK.equals(status);
        }
    }

    /** Sends one translation request; completes with its outcome, exceptionally on I/O failure or timeout. */
    CompletableFuture<Outcome> send();

    /** A one-line description of the last failure's details (response body, error header), for the progress output. */
    String lastFailureDetail();

    @Override
    void close();

    /** A reported number of milliseconds, NaN when absent or unreadable. */
    static double millis(String value) {
        try {
            return value == null ? Double.NaN : Double.parseDouble(value);
        } catch (NumberFormatException e) {
            return Double.NaN;
        }
    }
}
