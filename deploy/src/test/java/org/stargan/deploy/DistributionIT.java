package org.stargan.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.stargan.kafka.LocalKafka;

/**
 * The distributions stand alone: copied (hard-linked where possible) out of the build tree, started with {@code HOME} an empty folder and an
 * environment of nothing but {@code PATH} and the services' settings, the broker, an inference worker, a trainer and
 * the gateway serve a translation. libtorch is unpacked below that {@code HOME}; no Maven repository, no source tree.
 */
class DistributionIT {
    private static final Path REPO = Path.of("..").toAbsolutePath().normalize();
    private final List<Process> started = new ArrayList<>();

    @TempDir
    Path tmp;

    @AfterEach
    void stop() throws InterruptedException {
        // Services first, the broker last (it was started first).
        for (int i = started.size() - 1; i >= 0; i--) {
            Process p = started.get(i);
            p.destroy();
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
        }
    }

    @Test
    void servicesStartFromCopiedDistributionsWithAnEmptyHome() throws Exception {
        Path home = Files.createDirectories(tmp.resolve("home"));
        Path broker = copy(REPO.resolve("deploy/kafka-broker/target/dist"), tmp.resolve("kafka-broker"));
        Path inference = copy(REPO.resolve("inference-worker/target/dist"), tmp.resolve("inference-worker"));
        Path trainer = copy(REPO.resolve("trainer-worker/target/dist"), tmp.resolve("trainer-worker"));
        Path gateway = copy(REPO.resolve("gateway/target/dist"), tmp.resolve("gateway"));
        int kafkaPort = LocalKafka.freePort();
        String bootstrap = "127.0.0.1:" + kafkaPort;
        Process kafka = start(
                broker.resolve("bin/kafka-broker"),
                home,
                Map.of(),
                "--port",
                Integer.toString(kafkaPort),
                "--controller-port",
                Integer.toString(LocalKafka.freePort()),
                "--dir",
                tmp.resolve("kafka-data").toString());
        int metrics = LocalKafka.freePort();
        Process worker = start(
                inference.resolve("bin/inference-worker"),
                home,
                Map.of(
                        "STARGAN_KAFKA_BOOTSTRAP",
                        bootstrap,
                        "STARGAN_MODEL",
                        inference.resolve("models/synthetic48-G.safetensors").toString(),
                        "STARGAN_ANNOUNCE_MODEL",
                        "true",
                        "STARGAN_METRICS_PORT",
                        Integer.toString(metrics)));
        Process trainerProcess = start(
                trainer.resolve("bin/trainer-worker"),
                home,
                Map.of(
                        "STARGAN_KAFKA_BOOTSTRAP", bootstrap,
                        "STARGAN_ARTIFACTS", tmp.resolve("artifacts").toString(),
                        "STARGAN_METRICS_PORT", Integer.toString(LocalKafka.freePort())));
        int port = LocalKafka.freePort();
        start(
                gateway.resolve("bin/gateway"),
                home,
                Map.of("STARGAN_KAFKA_BOOTSTRAP", bootstrap, "STARGAN_HTTP_PORT", Integer.toString(port)));

        HttpClient http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5))
                .build();
        byte[] face;
        try (var in = getClass().getResourceAsStream("/webroot/samples/face1.png")) {
            face = in.readAllBytes();
        }
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
        HttpResponse<byte[]> r = null;
        while (System.nanoTime() < deadline) {
            assertThat(kafka.isAlive()).as("broker running").isTrue();
            for (Process p : started) {
                assertThat(p.isAlive())
                        .as("service started from its distribution is running")
                        .isTrue();
            }
            try {
                r = http.send(
                        HttpRequest.newBuilder(
                                        URI.create("http://127.0.0.1:" + port + "/v1/translations?target=Blond_Hair=1"))
                                .timeout(Duration.ofSeconds(30))
                                .header("Content-Type", "image/png")
                                // As a browser asks: the image must still come back as it is, not gzipped.
                                .header("Accept-Encoding", "gzip, deflate, br")
                                .POST(HttpRequest.BodyPublishers.ofByteArray(face))
                                .build(),
                        HttpResponse.BodyHandlers.ofByteArray());
                if (r.statusCode() == 200) {
                    break;
                }
            } catch (IOException e) {
                // not listening yet
            }
            Thread.sleep(500);
        }
        assertThat(r).as("an answer from the gateway").isNotNull();
        assertThat(r.statusCode()).as(new String(r.body())).isEqualTo(200);
        // The deployed worker's PNG (PngEncoder) reads back as an image; the deployed gateway gzips text only.
        assertThat(r.headers().firstValue("Content-Encoding")).isEmpty();
        assertThat(javax.imageio.ImageIO.read(new java.io.ByteArrayInputStream(r.body())))
                .as("the answer decodes as an image")
                .isNotNull();
        HttpResponse<byte[]> doc = http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/openapi.yaml"))
                        .timeout(Duration.ofSeconds(30))
                        .header("Accept-Encoding", "gzip")
                        .build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertThat(doc.headers().firstValue("Content-Encoding")).contains("gzip");
        // The worker's start script makes libtorch's threads sleep between batches (README, Capacity planning); the
        // trainer keeps OpenMP's default. Read from the running JVMs' environments: serving, the scripts have exec'd
        // java.
        assertThat(environment(worker)).contains("OMP_WAIT_POLICY=PASSIVE");
        assertThat(environment(trainerProcess)).noneMatch(e -> e.startsWith("OMP_WAIT_POLICY="));
        // libtorch came out of the distribution's jar into the empty HOME's cache.
        try (Stream<Path> unpacked = Files.list(home.resolve(".cache/stargan/djl/pytorch"))) {
            assertThat(unpacked.toList()).isNotEmpty();
        }
    }

    private static Path copy(Path dist, Path to) throws IOException {
        assertThat(dist.resolve("bin")).as(dist + " built (mvn package)").isDirectory();
        try (Stream<Path> files = Files.walk(dist)) {
            for (Path f : files.toList()) {
                Path target = to.resolve(dist.relativize(f).toString());
                if (Files.isDirectory(f)) {
                    Files.createDirectories(target);
                } else {
                    try {
                        // A link where the file system allows it: a copy of 300 MB of jars would only cost time.
                        Files.createLink(target, f);
                    } catch (IOException | UnsupportedOperationException e) {
                        Files.copy(f, target, StandardCopyOption.COPY_ATTRIBUTES);
                    }
                }
            }
        }
        return to;
    }

    private Process start(Path script, Path home, Map<String, String> settings, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(script.toString()));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command)
                .directory(home.toFile())
                .redirectErrorStream(true)
                .redirectOutput(
                        home.resolveSibling(script.getFileName() + ".log").toFile());
        pb.environment().clear();
        pb.environment().put("PATH", System.getenv("PATH"));
        pb.environment().put("HOME", home.toString());
        pb.environment().putAll(settings);
        Process p = pb.start();
        started.add(p);
        return p;
    }

    /** The environment a process started with, from Linux's {@code /proc/<pid>/environ}. */
    private static List<String> environment(Process p) throws IOException {
        String raw = Files.readString(Path.of("/proc", Long.toString(p.pid()), "environ"), StandardCharsets.UTF_8);
        return List.of(raw.split("\0"));
    }
}
