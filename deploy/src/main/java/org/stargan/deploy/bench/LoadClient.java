package org.stargan.deploy.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
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
 * arrives, first for {@code --warmup-s} (not counted), then for {@code --duration-s} or {@code --requests}. With
 * {@code --mode http,kafka} the two paths take turns in slices (see {@link #load}). Progress goes to stderr once a
 * second; the last line on stdout is JSON: per mode, the measured figures ({@link LoadStats#summary}).
 *
 * <p>Options: {@code --mode http|kafka|http,kafka}; for http {@code --url URL [--api-key K]}, for kafka
 * {@code --bootstrap H:P --topic-prefix P}; and {@code --image FILE --target SPEC --concurrency N (--duration-s S |
 * --requests N) [--warmup-s S] [--slice-s 10] [--timeout-s 30] [--ready-timeout-s 120] [--cpu-pids NAME=PID,...]}.
 * With {@code --cpu-pids} each mode's summary also holds the CPU milliseconds per request of those processes and of
 * the client itself over the measured windows ({@link CpuMeter}).
 */
public final class LoadClient {
    private static final Set<String> OPTIONS = Set.of(
            "mode",
            "url",
            "api-key",
            "bootstrap",
            "topic-prefix",
            "image",
            "target",
            "concurrency",
            "duration-s",
            "requests",
            "warmup-s",
            "slice-s",
            "timeout-s",
            "ready-timeout-s",
            "cpu-pids",
            "idle-s");

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
        Map<String, Transport> transports = new LinkedHashMap<>();
        int status;
        try {
            for (String mode : o.get("mode").split(",")) {
                transports.put(mode, open(mode, o));
            }
            Map<String, Map<String, Object>> summaries = load(transports, o, System.err);
            System.out.println(new ObjectMapper().writeValueAsString(summaries));
            System.out.flush();
            status = 0;
        } catch (IllegalArgumentException e) {
            System.err.println("load client: " + e.getMessage());
            status = 2;
        } catch (Exception e) {
            System.err.println("load client: " + (e.getMessage() == null ? e.toString() : e.getMessage()));
            status = 1;
        } finally {
            // Before exiting: System.exit skips finally blocks, and the Kafka transport deletes its reply topic on
            // close.
            transports.values().forEach(Transport::close);
        }
        System.exit(status);
    }

    /**
     * Waits for each transport's first success, warms each up, then measures them in turn in slices of at most
     * {@code --slice-s} until each has had {@code --duration-s}: on a shared machine, load from elsewhere then drifts over
     * all paths alike instead of favouring whichever ran first. With {@code --requests} each runs once, in turn.
     */
    static Map<String, Map<String, Object>> load(
            Map<String, Transport> transports, Map<String, String> o, PrintStream progress) throws Exception {
        int concurrency = Integer.parseInt(o.get("concurrency"));
        long timeoutMs = (long) (Double.parseDouble(o.getOrDefault("timeout-s", "30")) * 1000);
        long readyMs = (long) (Double.parseDouble(o.getOrDefault("ready-timeout-s", "120")) * 1000);
        for (Map.Entry<String, Transport> t : transports.entrySet()) {
            awaitFirstSuccess(t.getValue(), label(t.getKey()), timeoutMs, readyMs, progress);
        }
        double warmup = Double.parseDouble(o.getOrDefault("warmup-s", "0"));
        for (Map.Entry<String, Transport> t : transports.entrySet()) {
            if (warmup > 0) {
                measure(
                        t.getValue(),
                        label(t.getKey()) + " warm-up",
                        new LoadStats(),
                        null,
                        concurrency,
                        seconds(warmup),
                        0,
                        timeoutMs,
                        0,
                        progress);
            }
        }
        long requests = Long.parseLong(o.getOrDefault("requests", "0"));
        Map<String, LoadStats> stats = new LinkedHashMap<>();
        Map<String, Double> elapsed = new LinkedHashMap<>();
        Map<String, CpuMeter> cpu = new LinkedHashMap<>();
        Map<String, Long> pids = o.containsKey("cpu-pids") ? CpuMeter.parsePids(o.get("cpu-pids")) : Map.of();
        transports.keySet().forEach(m -> {
            stats.put(m, new LoadStats());
            elapsed.put(m, 0.0);
            cpu.put(m, new CpuMeter(pids));
        });
        if (requests > 0) {
            for (Map.Entry<String, Transport> t : transports.entrySet()) {
                elapsed.put(
                        t.getKey(),
                        measure(
                                t.getValue(),
                                label(t.getKey()),
                                stats.get(t.getKey()),
                                cpu.get(t.getKey()),
                                concurrency,
                                0,
                                requests,
                                timeoutMs,
                                0,
                                progress));
            }
        } else {
            double total = Double.parseDouble(o.get("duration-s"));
            double slice = Double.parseDouble(o.getOrDefault("slice-s", "10"));
            double done = 0;
            while (done < total - 1e-9) {
                double d = Math.min(slice, total - done);
                for (Map.Entry<String, Transport> t : transports.entrySet()) {
                    String m = t.getKey();
                    elapsed.put(
                            m,
                            elapsed.get(m)
                                    + measure(
                                            t.getValue(),
                                            label(m)
                                                    + (total > slice ? " (" + Math.round(total) + " s in slices)" : ""),
                                            stats.get(m),
                                            cpu.get(m),
                                            concurrency,
                                            seconds(d),
                                            0,
                                            timeoutMs,
                                            done,
                                            progress));
                }
                done += d;
            }
        }
        Map<String, Map<String, Object>> out = new LinkedHashMap<>();
        for (String m : transports.keySet()) {
            Map<String, Object> summary = stats.get(m).summary(elapsed.get(m));
            summary.putAll(cpu.get(m).perRequest(stats.get(m).okCount()));
            progress.printf(
                    "%s: done, %s ok, %d errors, %.1f req/s%n",
                    label(m), summary.get("ok"), stats.get(m).errorCount(), summary.get("throughput_req_s"));
            out.put(m, summary);
        }
        double idleS = Double.parseDouble(o.getOrDefault("idle-s", "0"));
        if (!pids.isEmpty() && idleS > 0) {
            out.put("idle", idle(pids, idleS, progress));
        }
        return out;
    }

    /**
     * The processes' CPU per second with no load, after a second for the last answers to drain: the background a
     * service spends whatever the traffic, which at a low request rate is a large part of its CPU per request.
     */
    private static Map<String, Object> idle(Map<String, Long> pids, double seconds, PrintStream progress)
            throws InterruptedException {
        Thread.sleep(1000);
        progress.printf("idle: %s s without load, measuring the services' background CPU...%n", seconds);
        CpuMeter meter = new CpuMeter(pids);
        meter.start();
        Thread.sleep(seconds(seconds) / 1_000_000);
        meter.stop();
        return meter.perSecond(seconds);
    }

    private static String label(String mode) {
        return mode.equals("http") ? "gateway" : "worker over Kafka";
    }

    static Map<String, String> parse(String[] args) {
        if (args.length % 2 != 0) {
            throw new IllegalArgumentException("option " + args[args.length - 1] + " needs a value");
        }
        Map<String, String> o = new HashMap<>();
        for (int i = 0; i < args.length; i += 2) {
            String name = args[i].startsWith("--") ? args[i].substring(2) : "";
            if (!OPTIONS.contains(name)) {
                throw new IllegalArgumentException("unknown option " + args[i] + "; known: "
                        + OPTIONS.stream().sorted().map(n -> "--" + n).toList());
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

    private static Transport open(String mode, Map<String, String> o) throws Exception {
        byte[] image = Files.readAllBytes(Path.of(o.get("image")));
        Duration timeout = Duration.ofMillis((long) (Double.parseDouble(o.getOrDefault("timeout-s", "30")) * 1000));
        return switch (mode) {
            case "http" ->
                new HttpTransport(
                        URI.create(required(o, "url", mode)),
                        image,
                        o.get("image").toLowerCase().endsWith(".png") ? "image/png" : "image/jpeg",
                        o.get("api-key"),
                        timeout,
                        Integer.parseInt(o.get("concurrency")));
            case "kafka" ->
                new KafkaTransport(
                        required(o, "bootstrap", mode),
                        new Topics(required(o, "topic-prefix", mode)),
                        image,
                        o.get("target"),
                        timeout);
            default ->
                throw new IllegalArgumentException(
                        "--mode: '" + o.get("mode") + "', expected http, kafka or http,kafka");
        };
    }

    private static String required(Map<String, String> o, String name, String mode) {
        String v = o.get(name);
        if (v == null || v.isBlank()) {
            throw new IllegalArgumentException("--" + name + ": missing (needed with --mode " + mode + ")");
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
    static void awaitFirstSuccess(Transport t, String label, long timeoutMs, long readyTimeoutMs, PrintStream progress)
            throws Exception {
        long deadline = System.nanoTime() + readyTimeoutMs * 1_000_000;
        String last = null;
        while (true) {
            String outcome = outcome(t, timeoutMs).status();
            if (Transport.Outcome.OK.equals(outcome)) {
                return;
            }
            if (!outcome.equals(last)) {
                progress.printf(
                        "%s: waiting for the first successful translation (got %s %s)%n",
                        label, outcome, t.lastFailureDetail());
                last = outcome;
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("no successful translation within " + readyTimeoutMs / 1000
                        + " s; last outcome " + outcome + " " + t.lastFailureDetail());
            }
            Thread.sleep(200);
        }
    }

    /**
     * The closed loop: {@code concurrency} threads each send, wait for the outcome, record it and send again, until
     * {@code durationNanos} have passed (when > 0) or {@code requests} have been sent in all. With a duration only answers
     * that arrive within it count (those still in flight are awaited, so the next slice starts clean, but not counted)
     * and the slice's length is returned; with a request count every answer counts and the time to the last is returned.
     * Progress lines count from {@code priorSeconds} of earlier slices into the same {@code stats}. {@code cpu} (null:
     * none) measures from the start to the deadline (with a request count: to the last answer), so the CPU spent on
     * answers awaited but not counted after a deadline is not counted either.
     */
    static double measure(
            Transport t,
            String label,
            LoadStats stats,
            CpuMeter cpu,
            int concurrency,
            long durationNanos,
            long requests,
            long timeoutMs,
            double priorSeconds,
            PrintStream progress)
            throws InterruptedException {
        AtomicLong issued = new AtomicLong();
        if (cpu != null) {
            cpu.start();
        }
        long start = System.nanoTime();
        long deadline = durationNanos > 0 ? start + durationNanos : Long.MAX_VALUE;
        Thread[] users = new Thread[concurrency];
        for (int i = 0; i < concurrency; i++) {
            users[i] = new Thread(
                    () -> {
                        while (System.nanoTime() < deadline
                                && (requests <= 0 || issued.incrementAndGet() <= requests)) {
                            long t0 = System.nanoTime();
                            Transport.Outcome outcome = outcome(t, timeoutMs);
                            long t1 = System.nanoTime();
                            if (t1 > deadline) {
                                break;
                            }
                            if (outcome.ok()) {
                                stats.ok((t1 - t0) / 1e6, outcome.queueMs(), outcome.computeMs());
                            } else {
                                stats.error(outcome.status());
                            }
                        }
                    },
                    "load-" + i);
            users[i].setDaemon(true);
            users[i].start();
        }
        long lastErrors = stats.errorCount();
        long lastOk = stats.okCount();
        boolean cpuStopped = cpu == null;
        for (Thread u : users) {
            while (u.isAlive()) {
                // Wakes at the deadline too, to close the CPU window there.
                u.join(
                        cpuStopped || durationNanos <= 0
                                ? 1000
                                : Math.max(1, Math.min(1000, (deadline - System.nanoTime()) / 1_000_000 + 1)));
                if (!cpuStopped && durationNanos > 0 && System.nanoTime() >= deadline) {
                    cpu.stop();
                    cpuStopped = true;
                }
                double now = (System.nanoTime() - start) / 1e9;
                if (u.isAlive() && (durationNanos <= 0 || now * 1e9 < durationNanos)) {
                    long errors = stats.errorCount();
                    long ok = stats.okCount();
                    progress.printf(
                            "%s: %.0f s, %d ok, %d errors, %.1f req/s in the last second%s%n",
                            label,
                            priorSeconds + now,
                            ok,
                            errors,
                            (double) (ok - lastOk),
                            errors > lastErrors ? " (last error: " + t.lastFailureDetail() + ")" : "");
                    lastErrors = errors;
                    lastOk = ok;
                }
            }
        }
        if (!cpuStopped) {
            cpu.stop();
        }
        return durationNanos > 0 ? durationNanos / 1e9 : (System.nanoTime() - start) / 1e9;
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
            return Transport.Outcome.failed(
                    c instanceof TimeoutException // Vert.x's idle timeout and the Kafka transport's
                            ? "timeout"
                            // Netty's AnnotatedConnectException: the JDK's name says the same to more readers.
                            : c instanceof java.net.ConnectException
                                    ? "io:ConnectException"
                                    : "io:" + c.getClass().getSimpleName());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Transport.Outcome.failed("interrupted");
        }
    }
}
