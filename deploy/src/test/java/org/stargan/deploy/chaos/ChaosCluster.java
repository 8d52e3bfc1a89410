package org.stargan.deploy.chaos;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;
import org.stargan.kafka.LocalKafka;
import org.stargan.kafka.Topics;

/**
 * What the chaos tests run against, each part its own process as an operator would run them: a local Kafka broker (its
 * own JVM, restartable on the same port and data), a gateway and inference workers started like {@code ./stargan
 * gateway} and {@code ./stargan inference-worker}, serving the small generator of the parity tests (the faults are the
 * subject, not the model: a cheap one keeps the measurements about the system on a shared machine). Translation needs
 * a key: {@code normal} for
 * the well-behaved load, {@code hostile} for the attacks, so that each is its own client of the gateway's limits.
 */
final class ChaosCluster implements AutoCloseable {
    static final Topics TOPICS = new Topics("chaos.");
    static final String GATEWAY_ID = "chaos-gw";
    static final String GROUP = "chaos-inference";
    static final Path HOME = Path.of("..").toAbsolutePath().normalize();

    final Path dir;
    final int kafkaPort;
    final int httpPort;
    private LocalKafka kafka;
    private ServiceJvm gateway;
    private final Map<String, ServiceJvm> workers = new LinkedHashMap<>();
    private final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();

    private final Path model;

    private ChaosCluster(Path dir) throws IOException {
        this.dir = dir;
        this.kafkaPort = LocalKafka.freePort();
        this.httpPort = LocalKafka.freePort();
        this.model = dir.resolve("tiny-G.ckpt");
        try (var in = ChaosCluster.class.getResourceAsStream("/parity/tiny-G.zip.ckpt")) {
            Files.copy(in, model);
        }
    }

    /**
     * Broker, topics ({@code partitions} request partitions), {@code workerIds} (the first announces the model) and
     * the gateway with {@code gatewayOptions} added; returns once the gateway is ready with every worker holding a
     * partition.
     */
    static ChaosCluster start(int partitions, List<String> workerIds, List<String> gatewayOptions) throws Exception {
        ChaosCluster c = new ChaosCluster(Files.createTempDirectory("stargan-chaos"));
        try {
            c.startBroker();
            try (Admin admin = c.admin()) {
                admin.createTopics(List.of(
                                new NewTopic(TOPICS.translateRequests(), partitions, (short) 1),
                                new NewTopic(TOPICS.replyTopic(GATEWAY_ID), Optional.empty(), Optional.empty()),
                                new NewTopic(TOPICS.deadLetters(), Optional.empty(), Optional.empty()),
                                new NewTopic(TOPICS.models(), Optional.empty(), Optional.empty()),
                                new NewTopic(TOPICS.trainEvents(), Optional.empty(), Optional.empty())))
                        .all()
                        .get(60, TimeUnit.SECONDS);
            }
            for (int i = 0; i < workerIds.size(); i++) {
                c.startWorker(workerIds.get(i), i == 0);
            }
            List<String> args = new ArrayList<>(List.of(
                    "--bootstrap",
                    c.bootstrap(),
                    "--port",
                    Integer.toString(c.httpPort),
                    "--topic-prefix",
                    TOPICS.prefix(),
                    "--instance-id",
                    GATEWAY_ID,
                    "--api-keys",
                    "normal:translate,hostile:translate",
                    // One well-behaved client sends the whole load: no rate limit to get in its way.
                    "--rate-limit",
                    "0"));
            args.addAll(gatewayOptions);
            // A container-sized heap, so that memory a client makes it hold shows in its resident size.
            c.gateway = ServiceJvm.start(
                    "gateway",
                    "gateway",
                    "org.stargan.gateway.Main",
                    List.of(
                            "-Xmx256m",
                            "-XX:MaxDirectMemorySize=256m",
                            "-Xlog:gc:file=" + c.dir.resolve("gateway-gc.log")),
                    args,
                    Map.of(),
                    c.dir);
            c.awaitReady(workerIds.size(), Duration.ofMinutes(3));
            return c;
        } catch (Exception | Error e) {
            c.close();
            throw e;
        }
    }

    String bootstrap() {
        return "127.0.0.1:" + kafkaPort;
    }

    /** Starts the broker on this cluster's port and data directory (again, after {@link #stopBroker}). */
    void startBroker() throws IOException {
        kafka = LocalKafka.start(
                Path.of(System.getProperty("stargan.kafka.broker.home")), kafkaPort, dir.resolve("kafka"), 120);
    }

    /** Stops the broker as an operator would (SIGTERM: Kafka's clean shutdown). */
    void stopBroker() {
        kafka.close();
    }

    /** Starts an inference worker as {@code ./stargan inference-worker} does; {@code announce}: it publishes the model. */
    ServiceJvm startWorker(String id, boolean announce) throws IOException {
        ServiceJvm w = ServiceJvm.start(
                id,
                "inference-worker",
                "org.stargan.inference.Main",
                // One compute thread each: the workers share the machine with everything else under test.
                List.of("-Xmx768m", "-Dai.djl.pytorch.num_threads=1"),
                List.of(
                        "--bootstrap",
                        bootstrap(),
                        "--topic-prefix",
                        TOPICS.prefix(),
                        "--group",
                        GROUP,
                        "--worker-id",
                        id,
                        "--model",
                        model.toString(),
                        "--max-batch",
                        "8",
                        "--max-delay-ms",
                        "5",
                        "--metrics-port",
                        Integer.toString(LocalKafka.freePort())),
                announce
                        ? Map.of(
                                "STARGAN_ANNOUNCE_MODEL",
                                "true",
                                "OMP_NUM_THREADS",
                                "1",
                                "TORCH_CPP_LOG_LEVEL",
                                "ERROR")
                        : Map.of("OMP_NUM_THREADS", "1", "TORCH_CPP_LOG_LEVEL", "ERROR"),
                dir);
        workers.put(id, w);
        return w;
    }

    ServiceJvm worker(String id) {
        return workers.get(id);
    }

    ServiceJvm gateway() {
        return gateway;
    }

    /** Waits until the gateway reports ready with {@code count} workers holding request partitions. */
    void awaitReady(int count, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        String last = "";
        while (System.nanoTime() < deadline) {
            try {
                HttpResponse<String> r = get("/health/ready");
                last = r.statusCode() + " " + r.body();
                if (r.statusCode() == 200 && r.body().contains("\"workers\":" + count)) {
                    return;
                }
            } catch (IOException e) {
                last = e.toString();
            }
            if (gateway != null && !gateway.alive()) {
                break;
            }
            Thread.sleep(250);
        }
        throw new IllegalStateException("the gateway was not ready with " + count + " workers within "
                + timeout.toSeconds() + " s (last: " + last + "); gateway log:\n"
                + (gateway == null ? "" : gateway.tail()));
    }

    HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + path))
                        .timeout(Duration.ofSeconds(10))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** A gauge or counter of the gateway's {@code /metrics}: the first sample line of {@code name}. */
    double gatewayMetric(String name) throws IOException, InterruptedException {
        return get("/metrics")
                .body()
                .lines()
                .filter(l -> l.startsWith(name + " ") || l.startsWith(name + "{"))
                .map(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
                .findFirst()
                .orElse(Double.NaN);
    }

    URI translate() {
        return URI.create("http://127.0.0.1:" + httpPort + "/v1/translations?target=domain1=1");
    }

    Admin admin() {
        return Admin.create(Map.of("bootstrap.servers", bootstrap(), "request.timeout.ms", "10000"));
    }

    /** Per request partition: the workers' committed offset, and the partition's end. */
    Map<TopicPartition, long[]> committedAndEnd() throws Exception {
        try (Admin admin = admin()) {
            var committed = admin.listConsumerGroupOffsets(GROUP)
                    .partitionsToOffsetAndMetadata()
                    .get(30, TimeUnit.SECONDS);
            int n = admin.describeTopics(List.of(TOPICS.translateRequests()))
                    .allTopicNames()
                    .get(30, TimeUnit.SECONDS)
                    .get(TOPICS.translateRequests())
                    .partitions()
                    .size();
            Map<TopicPartition, OffsetSpec> latest = new LinkedHashMap<>();
            for (int p = 0; p < n; p++) {
                latest.put(new TopicPartition(TOPICS.translateRequests(), p), OffsetSpec.latest());
            }
            var ends = admin.listOffsets(latest).all().get(30, TimeUnit.SECONDS);
            Map<TopicPartition, long[]> out = new LinkedHashMap<>();
            latest.keySet()
                    .forEach(tp -> out.put(tp, new long[] {
                        committed.get(tp) == null ? 0 : committed.get(tp).offset(),
                        ends.get(tp).offset()
                    }));
            return out;
        }
    }

    /** The machine's load average over the last minute (what else competes for its cores), or −1. */
    static double loadAverage() {
        try {
            return Double.parseDouble(Files.readString(Path.of("/proc/loadavg")).split(" ")[0]);
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** A 64 px face-like PNG (the model crops and scales it to 48 px). */
    static byte[] face() throws IOException {
        BufferedImage img = new BufferedImage(64, 64, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setColor(new Color(90, 140, 200));
        g.fillRect(0, 0, 64, 64);
        g.setColor(new Color(230, 190, 160));
        g.fillOval(14, 10, 36, 46);
        g.setColor(new Color(60, 40, 30));
        g.fillRect(14, 6, 36, 10);
        g.dispose();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(img, "png", out);
        return out.toByteArray();
    }

    @Override
    public void close() throws Exception {
        if (gateway != null) {
            gateway.close();
        }
        for (ServiceJvm w : workers.values()) {
            w.close();
        }
        if (kafka != null) {
            kafka.close();
        }
        // The services' logs stay with the build's output for whoever reads a failure.
        Path logs = Path.of("target", "chaos-logs", dir.getFileName().toString());
        Files.createDirectories(logs);
        try (var files = Files.list(dir)) {
            for (Path f : files.filter(f -> f.toString().endsWith(".log")).toList()) {
                Files.copy(f, logs.resolve(f.getFileName()));
            }
        }
        org.stargan.process.FileTree.delete(dir);
    }
}
