package org.stargan.deploy.containers;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * Translation requests from a few clients, each sending its next request when the last is answered, for a fixed
 * time; a fault is injected part way. Every request ends answered (200), failed (another status: the platform said
 * no) or lost (504, the gateway's deadline passed without a result, or no HTTP answer at all).
 */
final class FaultLoad {
    /** Pause between a client's requests: keeps the load under the gateway's per-key rate limit (100/s). */
    private static final long PAUSE_MILLIS = 50;

    private final HttpClient http;
    private final URI uri;
    private final String key;
    private final byte[] image;

    FaultLoad(HttpClient http, URI uri, String key, byte[] image) {
        this.http = http;
        this.uri = uri;
        this.key = key;
        this.image = image;
    }

    /** Something that breaks the system under load. */
    interface Fault {
        void inject() throws Exception;
    }

    /** One request's fate: times in nanoseconds since the load started; status 0 when no HTTP answer came. */
    record Outcome(long startNanos, long endNanos, int status, String error) {}

    /** What the load saw. */
    record Figures(List<Outcome> outcomes, long faultNanos) {
        int sent() {
            return outcomes.size();
        }

        int answered() {
            return (int) outcomes.stream().filter(o -> o.status() == 200).count();
        }

        /** Requests the platform refused or could not do (not 200, not lost). */
        List<String> failures() {
            return outcomes.stream()
                    .filter(o -> o.status() != 200 && o.status() != 504 && o.status() != 0)
                    .map(o -> o.status() + " " + o.error())
                    .toList();
        }

        int failed() {
            return failures().size();
        }

        int lost() {
            return (int) outcomes.stream()
                    .filter(o -> o.status() == 504 || o.status() == 0)
                    .count();
        }

        int answeredAfterFault() {
            return (int) outcomes.stream()
                    .filter(o -> o.status() == 200 && o.startNanos() > faultNanos)
                    .count();
        }

        /** The longest time without any answer, from the first answer to the last. */
        double longestGapSeconds() {
            List<Long> ends = new ArrayList<>(outcomes.stream()
                    .filter(o -> o.status() == 200)
                    .map(Outcome::endNanos)
                    .toList());
            Collections.sort(ends);
            long gap = 0;
            for (int i = 1; i < ends.size(); i++) {
                gap = Math.max(gap, ends.get(i) - ends.get(i - 1));
            }
            return gap / 1e9;
        }

        double slowestSeconds() {
            return outcomes.stream()
                            .filter(o -> o.status() == 200)
                            .mapToLong(o -> o.endNanos() - o.startNanos())
                            .max()
                            .orElse(0)
                    / 1e9;
        }
    }

    /**
     * {@code clients} clients for {@code duration}, {@code fault} injected after {@code faultAfter}; returns once
     * every request sent has ended (a request in flight at the end may take up to the gateway's deadline).
     */
    Figures run(int clients, Duration duration, Duration faultAfter, Fault fault) throws Exception {
        long t0 = System.nanoTime();
        long end = t0 + duration.toNanos();
        List<Outcome> outcomes = Collections.synchronizedList(new ArrayList<>());
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        for (int c = 0; c < clients; c++) {
            pool.submit(() -> {
                while (System.nanoTime() < end) {
                    outcomes.add(send(t0));
                    try {
                        Thread.sleep(PAUSE_MILLIS);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            });
        }
        Thread.sleep(faultAfter.toMillis());
        long faultNanos = System.nanoTime() - t0;
        fault.inject();
        pool.shutdown();
        if (!pool.awaitTermination(duration.toSeconds() + 120, TimeUnit.SECONDS)) {
            pool.shutdownNow();
            throw new IllegalStateException("the load's clients did not finish");
        }
        return new Figures(List.copyOf(outcomes), faultNanos);
    }

    private Outcome send(long t0) {
        long start = System.nanoTime() - t0;
        try {
            HttpResponse<byte[]> r = http.send(
                    HttpRequest.newBuilder(uri)
                            // Longer than the gateway's 30 s deadline: the gateway, not this client, says a result
                            // never came.
                            .timeout(Duration.ofSeconds(45))
                            .header("X-API-Key", key)
                            .header("Content-Type", "image/png")
                            .POST(HttpRequest.BodyPublishers.ofByteArray(image))
                            .build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            String body = new String(r.body(), java.nio.charset.StandardCharsets.UTF_8);
            return new Outcome(
                    start,
                    System.nanoTime() - t0,
                    r.statusCode(),
                    r.statusCode() == 200 ? null : body.substring(0, Math.min(200, body.length())));
        } catch (HttpTimeoutException e) {
            return new Outcome(start, System.nanoTime() - t0, 0, "no answer within 45 s");
        } catch (IOException | InterruptedException e) {
            return new Outcome(start, System.nanoTime() - t0, 0, e.toString());
        }
    }
}
