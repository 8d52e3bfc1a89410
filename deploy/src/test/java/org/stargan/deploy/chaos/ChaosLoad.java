package org.stargan.deploy.chaos;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Bounded load from outside the services: a closed loop of {@code users}, each sending a translation and the next as
 * soon as the answer is in (after the pause a {@code Retry-After} asks for), until {@code requests} were sent (0: until
 * {@link #stop}). Every call is recorded from the
 * client's side (start, end, status, answering worker), and {@link Figures} are computed from those records only.
 */
final class ChaosLoad implements AutoCloseable {
    private static final Pattern WORKER = Pattern.compile("\"worker\":\"([^\"]*)\"");

    /**
     * One call as the client saw it.
     *
     * @param status the HTTP status, or −1 when no answer came (timeout, connection lost)
     * @param worker the answering worker for a 200
     */
    record Call(long startNanos, long endNanos, int status, String worker, String error) {
        double millis() {
            return (endNanos - startNanos) / 1e6;
        }
    }

    /**
     * What a run looked like.
     *
     * @param answered 200s
     * @param failed answers with another status
     * @param lost calls that got no answer at all
     * @param longestGapMs the longest time without a 200 completing, from the window's first call to its last end
     */
    record Figures(
            int sent,
            int answered,
            int failed,
            int lost,
            double longestGapMs,
            double p50Ms,
            double p99Ms,
            double maxMs,
            Map<Integer, Integer> statuses) {
        String line(String scenario) {
            return String.format(
                    Locale.ROOT,
                    "CHAOS %s: sent %d, answered %d, failed %d, lost %d, longest gap %.0f ms, p50 %.0f ms, p99 %.0f ms,"
                            + " max %.0f ms, statuses %s",
                    scenario,
                    sent,
                    answered,
                    failed,
                    lost,
                    longestGapMs,
                    p50Ms,
                    p99Ms,
                    maxMs,
                    statuses);
        }
    }

    private final HttpClient http;
    private final URI uri;
    private final byte[] image;
    private final String apiKey;
    private final int users;
    private final long requests;
    private final Duration timeout;
    private final ExecutorService pool;
    private final AtomicBoolean stopped = new AtomicBoolean();
    private final AtomicLong issued = new AtomicLong();
    private final List<Call> calls = Collections.synchronizedList(new ArrayList<>());

    ChaosLoad(URI uri, byte[] image, String apiKey, int users, long requests, Duration timeout) {
        this.uri = uri;
        this.image = image;
        this.apiKey = apiKey;
        this.users = users;
        this.requests = requests;
        this.timeout = timeout;
        this.http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5))
                .build();
        this.pool = Executors.newFixedThreadPool(users, r -> {
            Thread t = new Thread(r, "chaos-user");
            t.setDaemon(true);
            return t;
        });
    }

    /** Starts the users. */
    ChaosLoad start() {
        for (int i = 0; i < users; i++) {
            pool.execute(this::user);
        }
        return this;
    }

    private void user() {
        while (!stopped.get() && (requests == 0 || issued.incrementAndGet() <= requests)) {
            HttpRequest req = HttpRequest.newBuilder(uri)
                    .timeout(timeout)
                    .header("Content-Type", "image/png")
                    .header("Accept", "application/json")
                    .header("X-API-Key", apiKey)
                    .POST(HttpRequest.BodyPublishers.ofByteArray(image))
                    .build();
            long start = System.nanoTime();
            try {
                HttpResponse<String> res = http.send(req, HttpResponse.BodyHandlers.ofString());
                Matcher m = WORKER.matcher(res.body());
                calls.add(new Call(
                        start,
                        System.nanoTime(),
                        res.statusCode(),
                        m.find() ? m.group(1) : null,
                        res.statusCode() == 200 ? null : res.body()));
                // A well-behaved client waits as it is told before asking again.
                var retryAfter = res.headers().firstValue("Retry-After");
                if (res.statusCode() != 200 && retryAfter.isPresent()) {
                    Thread.sleep(1000 * Long.parseLong(retryAfter.get().trim()));
                }
            } catch (Exception e) {
                calls.add(new Call(start, System.nanoTime(), -1, null, e.toString()));
                if (e instanceof InterruptedException) {
                    return;
                }
            }
        }
    }

    /** Calls with an answer of 200 so far. */
    long answered() {
        synchronized (calls) {
            return calls.stream().filter(c -> c.status() == 200).count();
        }
    }

    /** The most recent call answered 200, or null. */
    Call lastAnswered() {
        synchronized (calls) {
            return calls.stream()
                    .filter(c -> c.status() == 200)
                    .max(java.util.Comparator.comparingLong(Call::endNanos))
                    .orElse(null);
        }
    }

    /** Every call so far. */
    List<Call> calls() {
        synchronized (calls) {
            return List.copyOf(calls);
        }
    }

    /** Waits until all {@code requests} are done. */
    boolean awaitDone(Duration max) throws InterruptedException {
        pool.shutdown();
        return pool.awaitTermination(max.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Stops sending and waits for the calls in flight. */
    void stop() throws InterruptedException {
        stopped.set(true);
        awaitDone(timeout.plusSeconds(5));
    }

    @Override
    public void close() throws InterruptedException {
        stopped.set(true);
        pool.shutdownNow();
    }

    /** The figures of the calls that started within [from, to) (nanoTime). */
    static Figures figures(List<Call> all, long from, long to) {
        List<Call> calls = all.stream()
                .filter(c -> c.startNanos() >= from && c.startNanos() < to)
                .toList();
        List<Long> ends = calls.stream()
                .filter(c -> c.status() == 200)
                .map(Call::endNanos)
                .sorted()
                .toList();
        long previous = calls.stream().mapToLong(Call::startNanos).min().orElse(from);
        long gap = 0;
        for (long e : ends) {
            gap = Math.max(gap, e - previous);
            previous = e;
        }
        // Calls that ended without a 200 after the last one that did extend the gap to their end.
        gap = Math.max(gap, calls.stream().mapToLong(Call::endNanos).max().orElse(previous) - previous);
        double[] ms = calls.stream().mapToDouble(Call::millis).sorted().toArray();
        Map<Integer, Integer> statuses = new TreeMap<>();
        calls.forEach(c -> statuses.merge(c.status(), 1, Integer::sum));
        return new Figures(
                calls.size(),
                (int) calls.stream().filter(c -> c.status() == 200).count(),
                (int) calls.stream()
                        .filter(c -> c.status() != 200 && c.status() != -1)
                        .count(),
                (int) calls.stream().filter(c -> c.status() == -1).count(),
                Math.max(0, gap) / 1e6,
                rank(ms, 0.50),
                rank(ms, 0.99),
                ms.length == 0 ? 0 : ms[ms.length - 1],
                statuses);
    }

    /** Nearest-rank percentile. */
    static double rank(double[] sorted, double q) {
        if (sorted.length == 0) {
            return 0;
        }
        return sorted[Math.max(0, (int) Math.ceil(q * sorted.length) - 1)];
    }
}
