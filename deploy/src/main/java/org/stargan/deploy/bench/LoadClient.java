package org.stargan.deploy.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.stargan.kafka.Topics;

/**
 * The load generator of {@code bench gateway}, run as its own JVM so that the services under test do not share its heap,
 * JIT or GC: a closed loop of {@code --concurrency} users, each sending one request and the next as soon as the answer
 * arrives, first for {@code --warmup-s} (not counted), then for {@code --duration-s} or {@code --requests}. Progress goes
 * to stderr once a second; the last line on stdout is the measured phase as JSON ({@link LoadStats#summary}).
 *
 * <p>Options: {@code --mode http --url URL [--api-key K]} or {@code --mode kafka --bootstrap H:P --topic-prefix P}; and
 * {@code --image FILE --target SPEC --concurrency N (--duration-s S | --requests N) --warmup-s S --timeout-s S
 * --ready-timeout-s S --label NAME}.
 */
public final class LoadClient {
    private static final Set<String> OPTIONS = Set.of("mode", "url", "api-key", "bootstrap", "topic-prefix", "image", "target", "concurrency",
            "duration-s", "requests", "warmup-s", "timeout-s", "ready-timeout-s", "label");

    private LoadClient() {}

    /** Entry point: exit status 0 with the JSON line, 2 for bad options, 1 when the load could not be run. */
    public static void main(String[] args) {
        Map<String, String> o;
        try {
            o = parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("load client: " + e.getMessage());
            System.exit(2);
            return;
        }
        String label = o.getOrDefault("label", o.get("mode"));
        try (Transport t = open(o)) {
            int concurrency = Integer.parseInt(o.get("concurrency"));
            long timeoutMs = (long) (Double.parseDouble(o.getOrDefault("timeout-s", "30")) * 1000);
            awaitFirstSuccess(t, label, timeoutMs, (long) (Double.parseDouble(o.getOrDefault("ready-timeout-s", "120")) * 1000), System.err);
            double warmup = Double.parseDouble(o.getOrDefault("warmup-s", "0"));
            if (warmup > 0) {
                run(t, label + " warm-up", concurrency, seconds(warmup), 0, timeoutMs, System.err);
            }
            long requests = Long.parseLong(o.getOrDefault("requests", "0"));
            long duration = requests > 0 ? 0 : seconds(Double.parseDouble(o.get("duration-s")));
            Map<String, Object> summary = run(t, label, concurrency, duration, requests, timeoutMs, System.err);
            System.out.println(new ObjectMapper().writeValueAsString(summary));
            System.out.flush();
            System.exit(0);
        } catch (Exception e) {
            System.err.println("load client (" + label + "): " + e.getMessage());
            System.exit(1);
        }
    }

    static Map<String, String> parse(String[] args) {
        if (args.length % 2 != 0) {
            throw new IllegalArgumentException("option " + args[args.length - 1] + " needs a value");
        }
        Map<String, String> o = new HashMap<>();
        for (int i = 0; i < args.length; i += 2) {
            String name = args[i].startsWith("--") ? args[i].substring(2) : "";
            if (!OPTIONS.contains(name)) {
                throw new IllegalArgumentException("unknown option " + args[i] + "; known: " + OPTIONS.stream().sorted().map(n -> "--" + n).toList());
            }
            o.put(name, args[i + 1]);
        }
        for (String required : List.of("mode", "image", "target", "concurrency")) {
            if (!o.containsKey(required)) {
                throw new IllegalArgumentException("--" + required + ": missing");
            }
        }
        if (!o.containsKey("duration-s") && !o.containsKey("requests")) {
            throw new IllegalArgumentException("--duration-s or --requests: neither given, expected one");
        }
        return o;
    }

    private static Transport open(Map<String, String> o) throws Exception {
        byte[] image = Files.readAllBytes(Path.of(o.get("image")));
        Duration timeout = Duration.ofMillis((long) (Double.parseDouble(o.getOrDefault("timeout-s", "30")) * 1000));
        return switch (o.get("mode")) {
            case "http" -> new HttpTransport(URI.create(required(o, "url")), image, o.get("image").toLowerCase().endsWith(".png") ? "image/png"
                    : "image/jpeg", o.get("api-key"), timeout);
            case "kafka" -> new KafkaTransport(required(o, "bootstrap"), new Topics(required(o, "topic-prefix")), image, o.get("target"), timeout);
            default -> throw new IllegalArgumentException("--mode: '" + o.get("mode") + "', expected http or kafka");
        };
    }

    private static String required(Map<String, String> o, String name) {
        String v = o.get(name);
        if (v == null || v.isBlank()) {
            throw new IllegalArgumentException("--" + name + ": missing (needed with --mode " + o.get("mode") + ")");
        }
        return v;
    }

    private static long seconds(double s) {
        return (long) (s * 1e9);
    }

    /**
     * Sends one request at a time until one succeeds: the services may still be loading the model or joining their
     * consumer groups. Fails naming the last answer when {@code readyTimeoutMs} passes first.
     */
    static void awaitFirstSuccess(Transport t, String label, long timeoutMs, long readyTimeoutMs, PrintStream progress) throws Exception {
        long deadline = System.nanoTime() + readyTimeoutMs * 1_000_000;
        String last = null;
        while (true) {
            String outcome = outcome(t, timeoutMs).status();
            if (Transport.Outcome.OK.equals(outcome)) {
                return;
            }
            if (!outcome.equals(last)) {
                progress.printf("%s: waiting for the first successful translation (got %s %s)%n", label, outcome, t.lastFailureDetail());
                last = outcome;
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("no successful translation within " + readyTimeoutMs / 1000 + " s; last outcome " + outcome + " "
                        + t.lastFailureDetail());
            }
            Thread.sleep(200);
        }
    }

    /**
     * The closed loop: {@code concurrency} threads each send, wait for the outcome, record it and send again, until
     * {@code durationNanos} have passed (when > 0) or {@code requests} have been sent in all. Requests in flight at the
     * deadline are awaited and counted; the elapsed time runs to the last answer.
     */
    static Map<String, Object> run(Transport t, String label, int concurrency, long durationNanos, long requests, long timeoutMs,
            PrintStream progress) throws InterruptedException {
        LoadStats stats = new LoadStats();
        AtomicLong issued = new AtomicLong();
        long start = System.nanoTime();
        long deadline = durationNanos > 0 ? start + durationNanos : Long.MAX_VALUE;
        Thread[] users = new Thread[concurrency];
        for (int i = 0; i < concurrency; i++) {
            users[i] = new Thread(() -> {
                while (System.nanoTime() < deadline && (requests <= 0 || issued.incrementAndGet() <= requests)) {
                    long t0 = System.nanoTime();
                    Transport.Outcome outcome = outcome(t, timeoutMs);
                    if (outcome.ok()) {
                        stats.ok((System.nanoTime() - t0) / 1e6, outcome.queueMs(), outcome.computeMs());
                    } else {
                        stats.error(outcome.status());
                    }
                }
            }, "load-" + i);
            users[i].setDaemon(true);
            users[i].start();
        }
        long lastErrors = 0;
        for (Thread u : users) {
            while (u.isAlive()) {
                u.join(1000);
                double elapsed = (System.nanoTime() - start) / 1e9;
                if (u.isAlive()) {
                    long errors = stats.errorCount();
                    progress.printf("%s: %.0f s%s, %d ok, %d errors, %.1f req/s%s%n", label, elapsed,
                            durationNanos > 0 ? " of " + Math.round(durationNanos / 1e9) : "", stats.okCount(), errors,
                            stats.okCount() / elapsed, errors > lastErrors ? " (last: " + t.lastFailureDetail() + ")" : "");
                    lastErrors = errors;
                }
            }
        }
        Map<String, Object> summary = stats.summary((System.nanoTime() - start) / 1e9);
        progress.printf("%s: done, %s ok, %s errors, %.1f req/s%n", label, summary.get("ok"), stats.errorCount(), summary.get("throughput_req_s"));
        return summary;
    }

    /** The transport's outcome, or a failure named {@code timeout} or {@code io:<exception>}. */
    private static Transport.Outcome outcome(Transport t, long timeoutMs) {
        try {
            // The transports enforce the timeout themselves; this margin only guards against one that does not.
            return t.send().get(timeoutMs + 5_000, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            return Transport.Outcome.failed("timeout");
        } catch (ExecutionException e) {
            // The first real cause: e.g. ConnectException (which itself wraps a less telling ClosedChannelException).
            Throwable c = e.getCause();
            while (c instanceof java.util.concurrent.CompletionException && c.getCause() != null) {
                c = c.getCause();
            }
            return Transport.Outcome.failed(c instanceof TimeoutException || c instanceof java.net.http.HttpTimeoutException ? "timeout"
                    : "io:" + c.getClass().getSimpleName());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Transport.Outcome.failed("interrupted");
        }
    }
}
