package org.stargan.deploy.chaos;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A service started as its own JVM the way {@code ./stargan} starts it: the module's jar and its
 * {@code target/runtime-classpath.txt}, the same JVM flags, options and environment variables. Its output goes to a log
 * file; it can be stopped (SIGTERM) or killed ({@code kill -9}), and its resident memory read from {@code /proc}.
 */
final class ServiceJvm implements AutoCloseable {
    private static final Path HOME = Path.of("..").toAbsolutePath().normalize();

    private final String name;
    private final Process process;
    private final Path log;

    private ServiceJvm(String name, Process process, Path log) {
        this.name = name;
        this.process = process;
        this.log = log;
    }

    /**
     * Starts {@code mainClass} of {@code module} (e.g. {@code gateway}) with {@code args} and {@code env} added to this
     * JVM's environment; output to {@code logDir/<name>.log}.
     */
    static ServiceJvm start(
            String name,
            String module,
            String mainClass,
            List<String> jvmFlags,
            List<String> args,
            Map<String, String> env,
            Path logDir)
            throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(jvmFlags);
        // The launcher's flags for the services that run DJL (harmless for the others).
        cmd.add("-Dai.djl.offline=true");
        cmd.add("-Dai.djl.pytorch.num_interop_threads=1");
        String djlCache = System.getProperty("DJL_CACHE_DIR");
        if (djlCache != null) {
            cmd.add("-DDJL_CACHE_DIR=" + djlCache);
        }
        cmd.add("-Dstargan.home=" + HOME);
        cmd.add("-cp");
        cmd.add(classpath(module));
        cmd.add(mainClass);
        cmd.addAll(args);
        Path out = logDir.resolve(name + ".log");
        ProcessBuilder pb = new ProcessBuilder(cmd)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(out.toFile()));
        pb.environment().putAll(env);
        return new ServiceJvm(name, pb.start(), out);
    }

    /**
     * The module's jar and runtime classpath, as the launcher uses them (written when the module is packaged, as
     * {@code mvn verify} does before these tests); this test JVM's classpath when they are missing (a {@code test} run).
     */
    private static String classpath(String module) throws IOException {
        Path target = HOME.resolve(module).resolve("target");
        Path cpFile = target.resolve("runtime-classpath.txt");
        if (Files.isRegularFile(cpFile) && Files.isDirectory(target)) {
            try (Stream<Path> files = Files.list(target)) {
                var jar = files.filter(f -> f.getFileName().toString().endsWith("-SNAPSHOT.jar"))
                        .findFirst();
                if (jar.isPresent()) {
                    return jar.get()
                            + java.io.File.pathSeparator
                            + Files.readString(cpFile).strip();
                }
            }
        }
        return System.getProperty("java.class.path");
    }

    /** The process id (for {@code /proc} and signals). */
    long pid() {
        return process.pid();
    }

    boolean alive() {
        return process.isAlive();
    }

    /** {@code kill -9}: no shutdown hook runs, nothing is closed or committed. */
    void kill9() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
    }

    /** Resident memory in bytes, from {@code /proc/<pid>/status}; −1 where there is no {@code /proc}. */
    long rssBytes() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid()), "status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        } catch (IOException | NumberFormatException e) {
            // not Linux, or the process is gone
        }
        return -1;
    }

    /** Waits until the log holds {@code text}; fails naming the service and quoting the log's end. */
    void awaitLog(String text, Duration timeout) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (log().contains(text)) {
                return;
            }
            if (!process.isAlive()) {
                break;
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException(name + ": '" + text + "' not in its log within " + timeout.toSeconds()
                + " s (alive: " + process.isAlive() + "); log ends:\n" + tail());
    }

    /** The whole log so far. */
    String log() throws IOException {
        return Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
    }

    /** The last 40 lines of the log. */
    String tail() throws IOException {
        List<String> lines = log().lines().toList();
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
    }

    /** SIGTERM, as a service manager stops it; forcibly after 20 s. */
    @Override
    public void close() throws InterruptedException {
        if (!process.isAlive()) {
            return;
        }
        process.destroy();
        if (!process.waitFor(20, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        }
    }
}
