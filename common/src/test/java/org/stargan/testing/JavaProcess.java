package org.stargan.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A service or command in its own JVM, started the way {@code ./stargan} starts it: the test's classpath (the module's
 * runtime classpath plus test classes), DJL offline with the shared cache, one inter-op thread; stdout and stderr
 * collected line by line. Closing it stops the process (SIGTERM, then SIGKILL after 30 s).
 */
public final class JavaProcess implements AutoCloseable {
    private final Process process;
    private final List<String> lines = Collections.synchronizedList(new ArrayList<>());

    private JavaProcess(Process process) {
        this.process = process;
        Thread reader = new Thread(
                () -> {
                    try (BufferedReader r = new BufferedReader(
                            new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                        for (String line; (line = r.readLine()) != null; ) {
                            lines.add(line);
                        }
                    } catch (IOException ignored) {
                        // the process ended
                    }
                },
                "output-of-" + process.pid());
        reader.setDaemon(true);
        reader.start();
    }

    /** How to start one. */
    public static final class Spec {
        private final String mainClass;
        private final List<String> args = new ArrayList<>();
        private final List<String> jvmFlags = new ArrayList<>();
        private final Map<String, String> env = new java.util.HashMap<>();
        private boolean withoutCpuLibtorch;

        private Spec(String mainClass) {
            this.mainClass = mainClass;
        }

        /** Program arguments. */
        public Spec args(String... more) {
            args.addAll(List.of(more));
            return this;
        }

        /** Extra JVM flags, after the launcher's (so they win). */
        public Spec jvm(String... flags) {
            jvmFlags.addAll(List.of(flags));
            return this;
        }

        /** An environment variable for the process. */
        public Spec env(String name, String value) {
            env.put(name, value);
            return this;
        }

        /** Leaves the CPU libtorch jar off the classpath, as a GPU build ({@code -Dpytorch.native=none}) does. */
        public Spec withoutCpuLibtorch() {
            withoutCpuLibtorch = true;
            return this;
        }

        /** Starts it. */
        public JavaProcess start() throws IOException {
            String cp = System.getProperty("java.class.path");
            if (withoutCpuLibtorch) {
                cp = String.join(
                        java.io.File.pathSeparator,
                        java.util.Arrays.stream(cp.split(java.io.File.pathSeparator))
                                .filter(e -> !e.contains("pytorch-native-cpu"))
                                .toList());
            }
            List<String> cmd = new ArrayList<>(List.of(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Xmx1g",
                    "-Dai.djl.offline=true",
                    "-Dai.djl.pytorch.num_interop_threads=1"));
            String djlCache = System.getProperty("DJL_CACHE_DIR");
            if (djlCache != null) {
                cmd.add("-DDJL_CACHE_DIR=" + djlCache);
            }
            String broker = System.getProperty("stargan.kafka.broker.home");
            if (broker != null) {
                cmd.add("-Dstargan.kafka.broker.home=" + broker);
            }
            cmd.addAll(jvmFlags);
            cmd.addAll(List.of("-cp", cp, mainClass));
            cmd.addAll(args);
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
            pb.environment().putAll(env);
            return new JavaProcess(pb.start());
        }
    }

    /** A process running {@code mainClass}. */
    public static Spec of(Class<?> mainClass) {
        return new Spec(mainClass.getName());
    }

    /** Waits for it to exit; its status, or throws when it is still running after {@code timeout}. */
    public int exitCode(Duration timeout) throws InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new AssertionError("still running after " + timeout + "; output so far:\n" + output());
        }
        // Let the reader take the last lines.
        Thread.sleep(100);
        return process.exitValue();
    }

    /** Waits until a line matches (true), or the process ends or {@code timeout} passes (false). */
    public boolean awaitLine(Predicate<String> matches, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            synchronized (lines) {
                if (lines.stream().anyMatch(matches)) {
                    return true;
                }
            }
            if (!process.isAlive()) {
                Thread.sleep(100);
                synchronized (lines) {
                    return lines.stream().anyMatch(matches);
                }
            }
            Thread.sleep(50);
        }
        return false;
    }

    /** Everything it printed so far. */
    public String output() {
        synchronized (lines) {
            return String.join("\n", lines);
        }
    }

    /** Whether it still runs. */
    public boolean isAlive() {
        return process.isAlive();
    }

    @Override
    public void close() {
        if (!process.isAlive()) {
            return;
        }
        process.toHandle().destroy();
        try {
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
