package org.stargan.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Predicate;

/**
 * CPU time of a process, of some of its threads, or of some of this JVM's Java threads, for the serving benchmarks'
 * CPU-per-request figures. Process time comes from {@link ProcessHandle} (any process of this user); per-thread time of
 * another process from Linux's {@code /proc/PID/task/TID/{comm,stat}}, which also sees native threads: libtorch's
 * intra-op (OpenMP) threads, started from the worker's compute thread, inherit its name and are counted with it. Every
 * figure is nanoseconds of user + system time since the process or thread started, or -1 when the platform does not
 * say.
 */
public final class CpuTimes {
    /** The Linux kernel's clock ticks per second for {@code /proc} times ({@code getconf CLK_TCK}: 100 on Linux). */
    private static final long TICKS_PER_SECOND = 100;

    private CpuTimes() {}

    /** Total CPU time of process {@code pid}, or -1. */
    public static long process(long pid) {
        return ProcessHandle.of(pid)
                .flatMap(p -> p.info().totalCpuDuration())
                .map(Duration::toNanos)
                .orElse(-1L);
    }

    /**
     * CPU time of the threads of process {@code pid} whose kernel name ({@code comm}: the first 15 bytes of a Java
     * thread's name) {@code name} accepts, or -1 without {@code /proc}. Threads that have ended are no longer counted:
     * use it for long-lived threads (a compute thread and its helpers), sampled while they live.
     */
    public static long threads(long pid, Predicate<String> name) {
        return threadGroups(pid, Map.of("", name)).get("");
    }

    /**
     * CPU time of the threads of process {@code pid} by group, in one reading of {@code /proc}: each thread counts in
     * the first group (in {@code groups}' order) whose test accepts its kernel name; every group is -1 without
     * {@code /proc}. As {@link #threads}, for long-lived threads.
     */
    public static Map<String, Long> threadGroups(long pid, Map<String, Predicate<String>> groups) {
        Map<String, Long> ticks = new LinkedHashMap<>();
        groups.keySet().forEach(g -> ticks.put(g, 0L));
        Path tasks = Path.of("/proc", Long.toString(pid), "task");
        if (!Files.isDirectory(tasks)) {
            return unknown(ticks);
        }
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(tasks)) {
            for (Path t : ds) {
                try {
                    String comm = Files.readString(t.resolve("comm"), StandardCharsets.UTF_8)
                            .strip();
                    for (Map.Entry<String, Predicate<String>> g : groups.entrySet()) {
                        if (g.getValue().test(comm)) {
                            ticks.merge(
                                    g.getKey(),
                                    ticks(Files.readString(t.resolve("stat"), StandardCharsets.UTF_8)),
                                    Long::sum);
                            break;
                        }
                    }
                } catch (IOException | RuntimeException gone) {
                    // the thread ended between listing and reading
                }
            }
        } catch (IOException e) {
            return unknown(ticks);
        }
        ticks.replaceAll((g, t) -> t * (1_000_000_000L / TICKS_PER_SECOND));
        return ticks;
    }

    /** Every group's figure as -1: not measurable here. */
    private static Map<String, Long> unknown(Map<String, Long> ticks) {
        ticks.replaceAll((g, t) -> -1L);
        return ticks;
    }

    /** {@code utime + stime} of one {@code /proc/.../stat} line (fields 14 and 15; the name in field 2 may hold spaces). */
    static long ticks(String stat) {
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).trim().split(" ");
        // f[0] is field 3 (state): utime is field 14 → f[11], stime field 15 → f[12].
        return Long.parseLong(f[11]) + Long.parseLong(f[12]);
    }

    /**
     * CPU time of this JVM's live Java threads whose name {@code name} accepts (exact, from the JVM), or -1 when the JVM
     * does not measure thread CPU time.
     */
    public static long javaThreads(Predicate<String> name) {
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        if (!mx.isThreadCpuTimeSupported()) {
            return -1;
        }
        long sum = 0;
        for (ThreadInfo i : mx.getThreadInfo(mx.getAllThreadIds())) {
            if (i != null && name.test(i.getThreadName())) {
                long t = mx.getThreadCpuTime(i.getThreadId());
                sum += Math.max(0, t);
            }
        }
        return sum;
    }

    /** Milliseconds of CPU per request from a CPU-time difference in nanoseconds; null when unknown or no request. */
    public static Double msPerRequest(long cpuNanos, long requests) {
        return cpuNanos < 0 || requests <= 0 ? null : cpuNanos / 1e6 / requests;
    }
}
