package org.stargan.process;

import java.time.Duration;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The start-up and shut-down every service's {@code main} shares: wait for the deployment, exit with status 1 and the cause
 * if it fails, and close cleanly (bounded) when the JVM is told to stop. Takes plain {@link CompletionStage}s so the core
 * module needs no Vert.x dependency.
 */
public final class ServiceProcess {
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(30);

    private ServiceProcess() {}

    /** Waits up to {@code timeout} for {@code start}; on failure prints "{@code name}: failed to start: cause", closes, exits 1. */
    public static void startOrExit(
            String name, CompletionStage<?> start, Duration timeout, Supplier<CompletionStage<?>> close) {
        try {
            start.toCompletableFuture().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            System.err.println(name + ": failed to start: " + cause.getMessage());
            close.get();
            System.exit(1);
        }
    }

    /** Runs {@code close} when the JVM is told to stop, waiting at most 30 s for it. */
    public static void closeOnShutdown(String name, Supplier<CompletionStage<?>> close) {
        Runtime.getRuntime()
                .addShutdownHook(new Thread(
                        () -> {
                            try {
                                close.get().toCompletableFuture().get(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
                            } catch (Exception ignored) {
                                // exiting anyway
                            }
                        },
                        name + "-stop"));
    }
}
