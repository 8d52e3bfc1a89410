package org.stargan.deploy.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;

/**
 * A service ({@code inference-worker}, {@code gateway}) started from its {@code Main} in a JVM of its own, on this
 * JVM's classpath and with its libtorch and project settings, as a deployment runs it: each process's CPU time is then
 * that service's alone (its threads, its JIT compiler, its garbage collector). Its output is passed on to {@code err},
 * each line after its name; {@link #close} stops it as an orchestrator would (SIGTERM, then SIGKILL).
 */
final class ServiceJvm implements AutoCloseable {
    /** System properties a service needs as the launcher gives them: libtorch's (DJL) and the project's. */
    private static final List<String> PASSED_ON = List.of("ai.djl.", "DJL_", "PYTORCH_", "stargan.", "org.slf4j.");

    private final String name;
    private final Process process;
    private final CompletableFuture<String> ready = new CompletableFuture<>();

    private ServiceJvm(String name, Process process, Predicate<String> readyLine, PrintStream err) {
        this.name = name;
        this.process = process;
        Thread pump = new Thread(
                () -> {
                    try (BufferedReader r = new BufferedReader(
                            new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                        for (String line; (line = r.readLine()) != null; ) {
                            err.println("  " + name + "| " + line);
                            if (!ready.isDone() && readyLine.test(line)) {
                                ready.complete(line);
                            }
                        }
                    } catch (IOException ignored) {
                        // the process went away; its exit status tells the rest
                    }
                    ready.completeExceptionally(
                            new IllegalStateException(name + " exited before it was ready; its messages are above"));
                },
                name + "-output");
        pump.setDaemon(true);
        pump.start();
    }

    /**
     * Starts {@code mainClass} with {@code args} and this JVM's environment plus {@code environment}, and waits until it prints a line {@code readyLine} accepts.
     *
     * @return the service, ready; {@link #readyLine()} is the line it printed
     */
    static ServiceJvm start(
            String name,
            String mainClass,
            List<String> args,
            java.util.Map<String, String> environment,
            Predicate<String> readyLine,
            long timeoutSeconds,
            Cleanup cleanup,
            PrintStream err)
            throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        for (String key : System.getProperties().stringPropertyNames()) {
            if (PASSED_ON.stream().anyMatch(key::startsWith)) {
                cmd.add("-D" + key + "=" + System.getProperty(key));
            }
        }
        // For profiling a service under the benchmark's load, e.g.
        // STARGAN_BENCH_SERVICE_OPTS='-XX:StartFlightRecording=filename=/tmp/{name}.jfr,settings=profile'.
        String extra = System.getenv("STARGAN_BENCH_SERVICE_OPTS");
        if (extra != null && !extra.isBlank()) {
            for (String opt : extra.trim().split("\\s+")) {
                cmd.add(opt.replace("{name}", name));
            }
        }
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), mainClass));
        cmd.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().putAll(environment);
        Process p = pb.start();
        ServiceJvm s = new ServiceJvm(name, p, readyLine, err);
        cleanup.add("the " + name, s::close);
        try {
            s.ready.get(timeoutSeconds, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            throw new IllegalStateException(
                    name + " not ready within " + timeoutSeconds + " s; its messages are above");
        } catch (java.util.concurrent.ExecutionException e) {
            throw (Exception) e.getCause();
        }
        return s;
    }

    /** The line that said the service was ready. */
    String readyLine() {
        return ready.getNow(null);
    }

    long pid() {
        return process.pid();
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(20, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        }
    }

    @Override
    public String toString() {
        return name + " (pid " + process.pid() + ")";
    }
}
