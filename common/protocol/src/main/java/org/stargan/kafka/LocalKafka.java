package org.stargan.kafka;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A real Apache Kafka 4.x node (KRaft, broker + controller) in a child JVM, started from the
 * {@code deploy/kafka-broker} module's jars: for tests, the demo and development on machines without Docker.
 * The child's Kafka 4.x jars stay out of this JVM, whose clients are 3.7.1 (what vertx-kafka-client supports).
 */
public final class LocalKafka implements AutoCloseable {
    private static final String READY = "STARGAN_KAFKA_READY";

    private final Process process;
    private final String bootstrapServers;
    private final Path dataDir;

    private LocalKafka(Process process, String bootstrapServers, Path dataDir) {
        this.process = process;
        this.bootstrapServers = bootstrapServers;
        this.dataDir = dataDir;
    }

    /**
     * Starts a broker on {@code port} (0: a free one) keeping its data under {@code dataDir}, and waits until clients
     * can connect. The caller closes it, after the clients that use it.
     *
     * @param brokerHome the {@code deploy/kafka-broker} module directory, built ({@code target/} holds its jar and
     *     {@code broker-classpath.txt})
     */
    public static LocalKafka start(Path brokerHome, int port, Path dataDir, long timeoutSeconds) throws IOException {
        Path target = brokerHome.resolve("target");
        Path cpFile = target.resolve("broker-classpath.txt");
        Path classes = target.resolve("classes");
        if (!Files.isRegularFile(cpFile) || !Files.isDirectory(classes)) {
            throw new IllegalStateException(
                    "the local Kafka broker is not built: " + cpFile + " missing; run `mvn -q compile -f "
                            + brokerHome.resolve("pom.xml") + "` (./stargan does this on first use)");
        }
        int clientPort = port == 0 ? freePort() : checkFree(port);
        int controllerPort = freePort();
        String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = new ArrayList<>(List.of(
                javaBin,
                "-Xms64m",
                "-Xmx512m",
                "-XX:+UseSerialGC",
                "-cp",
                classes + java.io.File.pathSeparator + Files.readString(cpFile).strip(),
                "org.stargan.deploy.kafka.LocalKafkaBroker",
                "--port",
                Integer.toString(clientPort),
                "--controller-port",
                Integer.toString(controllerPort),
                "--dir",
                dataDir.toAbsolutePath().toString(),
                "--managed"));
        Process p = new ProcessBuilder(cmd)
                .redirectError(ProcessBuilder.Redirect.appendTo(
                        dataDir.resolveSibling(dataDir.getFileName() + ".log").toFile()))
                .start();
        CompletableFuture<String> ready = new CompletableFuture<>();
        Thread reader = new Thread(
                () -> {
                    try (BufferedReader r =
                            new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                        for (String line; (line = r.readLine()) != null; ) {
                            if (line.startsWith(READY)) {
                                ready.complete(line.substring(READY.length()).trim());
                            }
                        }
                        ready.completeExceptionally(
                                new IOException("the broker process exited with status " + p.waitFor()));
                    } catch (IOException | InterruptedException e) {
                        ready.completeExceptionally(e);
                    }
                },
                "local-kafka-stdout");
        reader.setDaemon(true);
        reader.start();
        try {
            String bootstrap = ready.get(timeoutSeconds, TimeUnit.SECONDS);
            // No shutdown hook of its own: hooks run concurrently, and one here would stop the broker while its owner
            // still closes the clients that use it. The owner closes it; if the owner's JVM dies first, the broker
            // (started --managed) exits with it.
            return new LocalKafka(p, bootstrap, dataDir);
        } catch (TimeoutException e) {
            p.destroyForcibly();
            throw new IOException(
                    "the local Kafka broker did not become ready within " + timeoutSeconds + " s; see "
                            + dataDir.resolveSibling(dataDir.getFileName() + ".log"),
                    e);
        } catch (ExecutionException e) {
            throw new IOException(
                    "the local Kafka broker failed to start (" + e.getCause().getMessage() + "); see "
                            + dataDir.resolveSibling(dataDir.getFileName() + ".log"),
                    e.getCause());
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while starting the local Kafka broker", e);
        }
    }

    /** {@code host:port} for clients' {@code bootstrap.servers}. */
    public String bootstrapServers() {
        return bootstrapServers;
    }

    /** Where the broker keeps its logs (topics). */
    public Path dataDir() {
        return dataDir;
    }

    /** The broker process's id (its CPU time is the broker's alone: the serving benchmarks read it). */
    public long pid() {
        return process.pid();
    }

    /** Whether the broker process is running. */
    public boolean isAlive() {
        return process.isAlive();
    }

    /** Stops the broker (SIGTERM, Kafka's clean shutdown; forcibly after 20 s). */
    @Override
    public void close() {
        if (!process.isAlive()) {
            return;
        }
        process.destroy();
        try {
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    /** A port nothing listens on on 127.0.0.1 right now (for brokers, tests and services started on any free port). */
    public static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket()) {
            s.bind(new InetSocketAddress("127.0.0.1", 0));
            return s.getLocalPort();
        }
    }

    /** {@code port}, when nothing listens on it on 127.0.0.1; else an {@link IOException} saying so. */
    public static int checkFree(int port) throws IOException {
        try (ServerSocket s = new ServerSocket()) {
            s.bind(new InetSocketAddress("127.0.0.1", port));
            return port;
        } catch (IOException e) {
            throw new IOException(
                    "port " + port + " is already in use on 127.0.0.1; stop what uses it or choose another port", e);
        }
    }
}
