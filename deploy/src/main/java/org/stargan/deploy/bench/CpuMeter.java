package org.stargan.deploy.bench;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.stargan.bench.CpuTimes;

/**
 * CPU time each process of the serving path spends over the measured windows of one load phase, summed over its
 * slices: the processes named on the load client's command line ({@code gateway}, {@code worker}, {@code broker}), the
 * worker's compute threads ({@code worker_generator}: the thread that runs the generator and libtorch's intra-op threads
 * it starts, which inherit its name {@code compute-<device>}), and the load client itself ({@code load_client}). Each
 * process runs in its own JVM, so a process's CPU time is its own work, its JIT compiler and its garbage collector; the
 * processes' JIT compiler threads are also shown apart ({@code gateway_jit}, {@code worker_jit}, ...: a lower bound,
 * as HotSpot may stop a compiler thread and its time with it). The gateway's and the worker's CPU is also split by
 * thread group ({@link #threadFigures}: event loop, Kafka consumer, Kafka producer, the worker's preparing threads,
 * and the rest).
 */
final class CpuMeter {
    /** The kernel name prefix of the worker's compute threads (InferenceVerticle's {@code compute-<device>}). */
    static final String COMPUTE_THREADS = "compute-";

    static final String WORKER = "worker";
    static final String GENERATOR = "worker_generator";
    static final String WORKER_OTHER = "worker_other";
    static final String CLIENT = "load_client";
    /** Suffix of a process's JIT compiler threads' share, e.g. {@code gateway_jit}. */
    static final String JIT = "_jit";

    /** Suffix of a service's CPU outside its JIT compiler, its compute threads and its {@link #threadFigures}. */
    static final String REST = "_rest";

    /** Suffixes of the thread groups' figures ({@link #threadFigures}), e.g. {@code worker_preparing}. */
    static final String EVENT_LOOP = "_eventloop";

    static final String KAFKA_CONSUMER = "_kafka_consumer";
    static final String KAFKA_PRODUCER = "_kafka_producer";
    static final String PREPARING = "_preparing";

    /** The processes whose CPU is split by thread ({@link #threadFigures}). */
    static final List<String> SPLIT_PROCESSES = List.of("gateway", WORKER);

    /** {@code process}'s figures by thread, {@code <process>_<group>}, e.g. {@code worker_preparing}. */
    static List<String> threadFigures(String process) {
        return List.copyOf(threadGroups(process).keySet());
    }

    /**
     * The gateway's and the worker's threads by what they do, by figure name: where a service's CPU outside the
     * generator goes, read from the kernel's per-thread times rather than sampled. Kernel names are a Java thread's
     * name cut to 15 bytes. The worker's preparing threads decode uploads, encode answers and hand them to its
     * producer; the gateway has none.
     */
    private static Map<String, Predicate<String>> threadGroups(String process) {
        Map<String, Predicate<String>> m = new LinkedHashMap<>();
        // Vert.x's event loops: HTTP, Kafka records handed to the service's handlers, timers, futures.
        m.put(process + EVENT_LOOP, n -> n.startsWith("vert.x-eventloo"));
        // Kafka consumers: Vert.x's polling threads and the clients' heartbeat threads.
        m.put(process + KAFKA_CONSUMER, n -> n.startsWith("vert.x-kafka-co") || n.startsWith("kafka-coordinat"));
        // Kafka producers' network threads (a send itself runs on the thread that sends).
        m.put(process + KAFKA_PRODUCER, n -> n.startsWith("kafka-producer-"));
        if (process.equals(WORKER)) {
            m.put(process + PREPARING, n -> n.equals("prepare"));
        }
        return m;
    }

    private final Map<String, Long> pids = new LinkedHashMap<>();
    private final Map<String, Long> totals = new LinkedHashMap<>();
    private Map<String, Long> started;

    /** @param pids process id by name; this process is added as {@code load_client} */
    CpuMeter(Map<String, Long> pids) {
        this.pids.putAll(pids);
        this.pids.put(CLIENT, ProcessHandle.current().pid());
        for (String name : sample().keySet()) {
            totals.put(name, 0L);
        }
    }

    /** Opens a measured window. */
    synchronized void start() {
        started = sample();
    }

    /** Closes the window opened last and adds what each process spent in it. */
    synchronized void stop() {
        if (started == null) {
            return;
        }
        Map<String, Long> now = sample();
        for (Map.Entry<String, Long> e : now.entrySet()) {
            long before = started.getOrDefault(e.getKey(), -1L);
            long sum = totals.get(e.getKey());
            // Unknown once means unknown: a partial sum would understate the figure.
            // A thread's time leaves the sum of its process's threads when it ends (HotSpot stops idle compiler
            // threads), so a thread group's figure is a lower bound and never taken below 0.
            long delta = Math.max(0, e.getValue() - before);
            totals.put(e.getKey(), before < 0 || e.getValue() < 0 || sum < 0 ? -1 : sum + delta);
        }
        started = null;
    }

    /**
     * {@code cpu_<name>_ms_per_req} for every process (and {@code worker_generator}, {@code worker_other}: the worker's
     * CPU outside its compute threads), over {@code requests} answered requests; and {@code cpu_<name>_steady_ms_per_req}
     * for each process outside the generator with its JIT compiler's share taken out (what the same work costs once
     * the code is compiled, as in a service that has run for a while); null where unknown.
     */
    synchronized Map<String, Object> perRequest(long requests) {
        Map<String, Object> r = new LinkedHashMap<>();
        for (Map.Entry<String, Long> e : totals.entrySet()) {
            r.put(field(e.getKey()), CpuTimes.msPerRequest(e.getValue(), requests));
        }
        if (totals.containsKey(WORKER)) {
            r.put(
                    field(WORKER_OTHER),
                    CpuTimes.msPerRequest(minus(totals.get(WORKER), totals.get(GENERATOR)), requests));
        }
        for (String name : pids.keySet()) {
            long steady = minus(totals.get(name), totals.get(name + JIT));
            if (name.equals(WORKER)) {
                steady = minus(steady, totals.get(GENERATOR));
                r.put(steadyField(WORKER_OTHER), CpuTimes.msPerRequest(steady, requests));
            } else {
                r.put(steadyField(name), CpuTimes.msPerRequest(steady, requests));
            }
            if (SPLIT_PROCESSES.contains(name)) {
                long rest = steady;
                for (String g : threadGroups(name).keySet()) {
                    rest = minus(rest, totals.get(g));
                }
                r.put(field(name + REST), CpuTimes.msPerRequest(rest, requests));
            }
        }
        return r;
    }

    /**
     * {@code cpu_<name>_ms_per_s}: CPU milliseconds each process spent per second of the window(s) measured, for an
     * idle window: the background (timers, heartbeats, polls, probes) that a request rate divides among requests; and
     * {@code cpu_<name>_steady_ms_per_s}, the same without the JIT compiler's share (still compiling what the load
     * ran).
     */
    synchronized Map<String, Object> perSecond(double seconds) {
        Map<String, Object> r = new LinkedHashMap<>();
        for (Map.Entry<String, Long> e : totals.entrySet()) {
            r.put("cpu_" + e.getKey() + "_ms_per_s", e.getValue() < 0 ? null : e.getValue() / 1e6 / seconds);
        }
        for (String name : pids.keySet()) {
            long steady = minus(totals.get(name), totals.get(name + JIT));
            r.put("cpu_" + name + "_steady_ms_per_s", steady < 0 ? null : steady / 1e6 / seconds);
        }
        return r;
    }

    /** {@code a − b}, unknown (−1) when either is, never below 0. */
    private static long minus(long a, long b) {
        return a < 0 || b < 0 ? -1 : Math.max(0, a - b);
    }

    static String field(String name) {
        return "cpu_" + name + "_ms_per_req";
    }

    static String steadyField(String name) {
        return "cpu_" + name + "_steady_ms_per_req";
    }

    private Map<String, Long> sample() {
        Map<String, Long> s = new LinkedHashMap<>();
        for (Map.Entry<String, Long> p : pids.entrySet()) {
            s.put(p.getKey(), CpuTimes.process(p.getValue()));
            Map<String, Predicate<String>> groups = new LinkedHashMap<>();
            if (p.getKey().equals(WORKER)) {
                groups.put(GENERATOR, n -> n.startsWith(COMPUTE_THREADS));
            }
            // HotSpot's compiler threads: what is still being compiled after the warm-up, part of the process's figure,
            // shown apart because it ends once the code is hot.
            groups.put(p.getKey() + JIT, n -> n.matches("C[12] CompilerThre.*"));
            if (SPLIT_PROCESSES.contains(p.getKey())) {
                groups.putAll(threadGroups(p.getKey()));
            }
            s.putAll(CpuTimes.threadGroups(p.getValue(), groups));
        }
        return s;
    }

    /** Parses {@code gateway=123,worker=456}: process ids by name. */
    static Map<String, Long> parsePids(String spec) {
        Map<String, Long> m = new LinkedHashMap<>();
        for (String part : spec.split(",")) {
            String[] kv = part.split("=", 2);
            if (kv.length != 2 || !kv[0].matches("[a-z_]+") || !kv[1].matches("\\d+")) {
                throw new IllegalArgumentException("--cpu-pids: '" + part + "', expected NAME=PID, e.g. worker=1234");
            }
            m.put(kv[0], Long.parseLong(kv[1]));
        }
        return m;
    }
}
