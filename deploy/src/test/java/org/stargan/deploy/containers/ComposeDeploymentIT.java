package org.stargan.deploy.containers;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.stargan.kafka.LocalKafka;
import org.stargan.kafka.TopicPlan;
import org.stargan.kafka.Topics;

/**
 * The deployment as a user runs it: the images built from the distributions by {@code deploy/compose.yaml} (on a
 * Debian base made here, no registry needed), the stack started by podman-compose as separate containers — broker,
 * gateway, two inference workers, one trainer — and used over HTTP and WebSocket only: a translation, a live edit, a
 * training job whose checkpoint is then served, every service's metrics, the topics as planned, and a worker killed
 * with SIGKILL under load without a request lost. Figures (image sizes, build and start times, the fault's counts) are
 * printed and written to {@code target/container-figures.txt}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ComposeDeploymentIT {
    private static final Path REPO = Path.of("..").toAbsolutePath().normalize();
    private static final String TAG = "0.1.0";
    private static final List<String> IMAGES = List.of("kafka-broker", "gateway", "inference-worker", "trainer-worker");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Podman podman = new Podman(REPO);
    private final Map<String, String> figures = new LinkedHashMap<>();
    private final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10))
            .build();
    private ComposeStack stack;
    private String key;
    private int kafkaPort;
    private int httpPort;
    private final Map<String, Integer> metricsPorts = new LinkedHashMap<>();
    private byte[] face;

    @BeforeAll
    void deploy() throws Exception {
        Podman.requireTools();
        try (var in = getClass().getResourceAsStream("/webroot/samples/face1.png")) {
            face = in.readAllBytes();
        }
        long t = System.nanoTime();
        podman.run(List.of("bash", "deploy/podman/local-base.sh"), Map.of(), Duration.ofMinutes(15))
                .orThrow(List.of("deploy/podman/local-base.sh"));
        figures.put("base images (Debian via debootstrap + JRE; reused when present)", seconds(t));

        key = UUID.randomUUID().toString();
        Path keys = Files.createTempFile("stargan-it-keys", "");
        keys.toFile().deleteOnExit();
        String hash = HexFormat.of()
                .formatHex(MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8)));
        Files.writeString(keys, "it-admin sha256:" + hash + " admin\n");
        keys.toFile().setReadable(true, false);
        kafkaPort = LocalKafka.freePort();
        httpPort = LocalKafka.freePort();
        metricsPorts.put("inference", LocalKafka.freePort());
        metricsPorts.put("inference-2", LocalKafka.freePort());
        metricsPorts.put("trainer", LocalKafka.freePort());
        Map<String, String> env = new LinkedHashMap<>();
        env.put("STARGAN_BASE_IMAGE", "localhost/stargan-jre:17");
        env.put("STARGAN_API_KEYS_FILE", keys.toString());
        env.put("STARGAN_KAFKA_PORT", Integer.toString(kafkaPort));
        env.put("STARGAN_KAFKA_CONTROLLER_PORT", Integer.toString(LocalKafka.freePort()));
        env.put("STARGAN_HTTP_PORT", Integer.toString(httpPort));
        env.put("STARGAN_INFERENCE_METRICS_PORT", metricsPorts.get("inference").toString());
        env.put(
                "STARGAN_INFERENCE_2_METRICS_PORT",
                metricsPorts.get("inference-2").toString());
        env.put("STARGAN_TRAINER_METRICS_PORT", metricsPorts.get("trainer").toString());
        stack = new ComposeStack(podman, "stargan-it", env);
        stack.down();

        t = System.nanoTime();
        stack.build();
        figures.put("4 images built by podman-compose build", seconds(t));
        for (String image : IMAGES) {
            figures.put(
                    "image stargan/" + image + ":" + TAG,
                    String.format("%.0f MB", podman.imageSize("stargan/" + image + ":" + TAG) / 1e6));
        }

        t = System.nanoTime();
        stack.up();
        figures.put("containers created by podman-compose up -d", seconds(t));
        awaitReady(t);
        figures.put("up to gateway ready (model listed, both workers consuming)", seconds(t));
    }

    @AfterAll
    void tearDown() throws Exception {
        StringBuilder s = new StringBuilder("container deployment figures:\n");
        figures.forEach((k, v) -> s.append(String.format("  %-62s %s%n", k, v)));
        System.out.print(s);
        Files.createDirectories(REPO.resolve("deploy/target"));
        Files.writeString(REPO.resolve("deploy/target/container-figures.txt"), s.toString());
        if (stack != null) {
            stack.close();
        }
    }

    @Test
    @Order(1)
    void everyImageHoldsItsServiceAndRunsAsTheServiceUser() throws Exception {
        for (String image : IMAGES) {
            String out = podman.podman(
                    Duration.ofMinutes(1),
                    "run",
                    "--rm",
                    "--entrypoint",
                    "sh",
                    "stargan/" + image + ":" + TAG,
                    "-c",
                    "id -u; stat -c %u /artifacts; readlink /opt/stargan/bin/service; ls /opt/stargan/lib | grep -c 'jar$'"
                            + "; ls /opt/stargan/djl/pytorch 2>/dev/null | wc -l");
            List<String> lines = out.lines().toList();
            assertThat(lines)
                    .as(image + ": uid, /artifacts owner, service, jars, libtorch")
                    .hasSize(5);
            assertThat(lines.get(0)).as(image + " user").isEqualTo("10001");
            assertThat(lines.get(1)).as(image + " /artifacts owner").isEqualTo("10001");
            assertThat(lines.get(2)).as(image + " entry point").isEqualTo(image);
            assertThat(Integer.parseInt(lines.get(3))).as(image + " jars").isGreaterThan(10);
            // The workers' libtorch is unpacked at build time; the others have none.
            assertThat(lines.get(4)).as(image + " baked libtorch").isEqualTo(image.endsWith("-worker") ? "1" : "0");
        }
    }

    @Test
    @Order(2)
    void translatesOverHttp() throws Exception {
        HttpResponse<byte[]> r = translate("target=Blond_Hair=1", Duration.ofSeconds(60));
        assertThat(r.statusCode())
                .as(new String(r.body(), StandardCharsets.UTF_8))
                .isEqualTo(200);
        assertThat(r.headers().firstValue("X-Model-Version")).hasValue("initial");
        assertThat(ImageIO.read(new ByteArrayInputStream(r.body())).getWidth()).isEqualTo(48);
    }

    @Test
    @Order(3)
    void editsOverTheWebSocket() throws Exception {
        CompletableFuture<String> text = new CompletableFuture<>();
        CompletableFuture<byte[]> png = new CompletableFuture<>();
        WebSocket ws = http.newWebSocketBuilder()
                .header("X-API-Key", key)
                .connectTimeout(Duration.ofSeconds(10))
                .buildAsync(URI.create("ws://127.0.0.1:" + httpPort + "/v1/stream"), new WebSocket.Listener() {
                    private final StringBuilder texts = new StringBuilder();
                    private final java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();

                    @Override
                    public CompletionStage<?> onText(WebSocket w, CharSequence data, boolean last) {
                        texts.append(data);
                        if (last) {
                            text.complete(texts.toString());
                        }
                        w.request(1);
                        return null;
                    }

                    @Override
                    public CompletionStage<?> onBinary(WebSocket w, ByteBuffer data, boolean last) {
                        byte[] b = new byte[data.remaining()];
                        data.get(b);
                        bytes.write(b, 0, b.length);
                        if (last) {
                            png.complete(bytes.toByteArray());
                        }
                        w.request(1);
                        return null;
                    }
                })
                .get(30, TimeUnit.SECONDS);
        ws.sendBinary(ByteBuffer.wrap(face), true).get(10, TimeUnit.SECONDS);
        ws.sendText("{\"seq\": 7, \"target\": \"Male=1,Young=0\"}", true).get(10, TimeUnit.SECONDS);
        JsonNode answer = JSON.readTree(text.get(60, TimeUnit.SECONDS));
        assertThat(answer.path("seq").asLong()).as(answer.toString()).isEqualTo(7);
        assertThat(answer.path("model_version").asText()).as(answer.toString()).isEqualTo("initial");
        assertThat(ImageIO.read(new ByteArrayInputStream(png.get(30, TimeUnit.SECONDS)))
                        .getWidth())
                .isEqualTo(48);
        ws.sendClose(WebSocket.NORMAL_CLOSURE, "done").get(10, TimeUnit.SECONDS);
    }

    @Test
    @Order(4)
    void aTrainingJobStreamsItsEventsAndItsCheckpointIsServed() throws Exception {
        String job = "it-" + Long.toHexString(System.nanoTime());
        String spec =
                "{\"job_id\": \"" + job + "\", \"model\": \"it-model\", \"synthetic\": {\"count\": 20, \"size\": 16},"
                        + " \"options\": {\"image-size\": 16, \"g-conv-dim\": 4, \"d-conv-dim\": 4, \"g-repeat-num\": 1,"
                        + " \"d-repeat-num\": 3, \"batch-size\": 2, \"num-iters\": 10, \"num-iters-decay\": 0,"
                        + " \"log-step\": 2, \"sample-step\": 5, \"model-save-step\": 5}}";
        long t = System.nanoTime();
        HttpResponse<String> submitted = http.send(
                request("/v1/training-jobs", Duration.ofSeconds(30))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(spec))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(submitted.statusCode()).as(submitted.body()).isIn(200, 201, 202);
        // The event stream ends after the job's last event.
        HttpResponse<java.util.stream.Stream<String>> events = http.send(
                request("/v1/training-jobs/" + job + "/events", Duration.ofMinutes(5))
                        .GET()
                        .build(),
                HttpResponse.BodyHandlers.ofLines());
        assertThat(events.statusCode()).isEqualTo(200);
        List<String> types = new ArrayList<>();
        String lastVersion = null;
        try (var lines = events.body()) {
            for (String line : (Iterable<String>) lines::iterator) {
                if (line.startsWith("event: ")) {
                    types.add(line.substring(7).trim());
                } else if (line.startsWith("data: ") && line.contains("\"type\":\"checkpoint\"")) {
                    lastVersion = JSON.readTree(line.substring(6))
                            .path("data")
                            .path("version")
                            .asText();
                }
                if (types.contains("done") || types.contains("failed")) {
                    break;
                }
            }
        }
        figures.put("training job (10 iterations, 16 px) submitted to done", seconds(t));
        assertThat(types).as("events of " + job).contains("log", "sample", "checkpoint", "done");
        assertThat(lastVersion).as("the last checkpoint's version").isNotBlank();
        // Announced on the registry, loaded by the workers, listed by the gateway: then translations use it.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        HttpResponse<byte[]> r;
        do {
            r = translate("model=it-model&target=Blond_Hair=1", Duration.ofSeconds(30));
        } while ((r.statusCode() != 200
                        || !r.headers().firstValue("X-Model-Version").orElse("").equals(lastVersion))
                && System.nanoTime() < deadline
                && sleep(500));
        assertThat(r.statusCode())
                .as(new String(r.body(), StandardCharsets.UTF_8))
                .isEqualTo(200);
        assertThat(r.headers().firstValue("X-Model-Version")).hasValue(lastVersion);
        assertThat(ImageIO.read(new ByteArrayInputStream(r.body())).getWidth()).isEqualTo(16);
    }

    @Test
    @Order(5)
    void everyServiceContainerExportsItsMetrics() throws Exception {
        Map<String, String> wanted = new LinkedHashMap<>();
        wanted.put("gateway", "stargan_gateway_");
        wanted.put("inference", "stargan_inference_requests_total");
        wanted.put("inference-2", "stargan_inference_requests_total");
        wanted.put("trainer", "stargan_train_");
        for (var e : wanted.entrySet()) {
            int port = e.getKey().equals("gateway") ? httpPort : metricsPorts.get(e.getKey());
            HttpResponse<String> r = http.send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics"))
                            .timeout(Duration.ofSeconds(10))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).as(e.getKey() + " /metrics").isEqualTo(200);
            assertThat(r.body())
                    .as(e.getKey() + " /metrics")
                    .contains(e.getValue())
                    .contains("jvm_");
        }
    }

    @Test
    @Order(6)
    void theServicesCreatedTheTopicsAsPlanned() throws Exception {
        Topics topics = Topics.defaults();
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", "127.0.0.1:" + kafkaPort))) {
            var described = admin.describeTopics(List.of(topics.translateRequests(), topics.models()))
                    .allTopicNames()
                    .get(30, TimeUnit.SECONDS);
            assertThat(described.get(topics.translateRequests()).partitions())
                    .hasSize(TopicPlan.DEFAULT_QUEUE_PARTITIONS);
            ConfigResource models = new ConfigResource(ConfigResource.Type.TOPIC, topics.models());
            Config config = admin.describeConfigs(Set.of(models))
                    .all()
                    .get(30, TimeUnit.SECONDS)
                    .get(models);
            assertThat(config.get("cleanup.policy").value()).isEqualTo("compact");
        }
    }

    @Test
    @Order(7)
    void killingTheBusierInferenceWorkerUnderLoadLosesNoRequest() throws Exception {
        FaultLoad load = new FaultLoad(http, URI.create(translateUri("target=Brown_Hair=1")), key, face);
        FaultLoad.Figures f = load.run(4, Duration.ofSeconds(30), Duration.ofSeconds(8), () -> {
            String victim = busierWorker();
            figures.put("killed with SIGKILL under load", victim + " (the one that had served more)");
            stack.kill(victim);
        });
        figures.put(
                "requests under load: sent / answered / failed / lost",
                f.sent() + " / " + f.answered() + " / " + f.failed() + " / " + f.lost());
        figures.put("longest time without an answer (s)", String.format("%.2f", f.longestGapSeconds()));
        figures.put("slowest answered request (s)", String.format("%.2f", f.slowestSeconds()));
        figures.put("answered after the kill", Integer.toString(f.answeredAfterFault()));
        assertThat(f.failures()).as("failed requests").isEmpty();
        assertThat(f.lost())
                .as("lost requests (no answer within the gateway's deadline)")
                .isZero();
        assertThat(f.answeredAfterFault()).as("answers after the kill").isPositive();
        assertThat(f.answered()).isEqualTo(f.sent());
    }

    private String busierWorker() throws IOException, InterruptedException {
        long one = requestsServed(metricsPorts.get("inference"));
        long two = requestsServed(metricsPorts.get("inference-2"));
        return one >= two ? "inference" : "inference-2";
    }

    private long requestsServed(int port) throws IOException, InterruptedException {
        String body = http.send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics"))
                                .timeout(Duration.ofSeconds(10))
                                .build(),
                        HttpResponse.BodyHandlers.ofString())
                .body();
        Matcher m = Pattern.compile("(?m)^stargan_inference_requests_total\\{[^}]*} ([0-9.E]+)$")
                .matcher(body);
        return m.find() ? (long) Double.parseDouble(m.group(1)) : 0;
    }

    private void awaitReady(long since) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(4);
        String last = "";
        while (System.nanoTime() < deadline) {
            try {
                HttpResponse<String> r = http.send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + "/health/ready"))
                                .timeout(Duration.ofSeconds(10))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
                last = r.statusCode() + " " + r.body();
                if (r.statusCode() == 200
                        && JSON.readTree(r.body()).path("workers").asInt() == 2) {
                    return;
                }
            } catch (IOException e) {
                last = e.toString();
            }
            Thread.sleep(500);
        }
        StringBuilder logs = new StringBuilder();
        for (String s : ComposeStack.SERVICES) {
            logs.append("\n--- ").append(s).append(":\n").append(stack.logTail(s, 1500));
        }
        throw new AssertionError(
                "the gateway was not ready with 2 workers " + seconds(since) + " after up; last: " + last + logs);
    }

    private HttpResponse<byte[]> translate(String query, Duration timeout) throws IOException, InterruptedException {
        return http.send(
                HttpRequest.newBuilder(URI.create(translateUri(query)))
                        .timeout(timeout)
                        .header("X-API-Key", key)
                        .header("Content-Type", "image/png")
                        .POST(HttpRequest.BodyPublishers.ofByteArray(face))
                        .build(),
                HttpResponse.BodyHandlers.ofByteArray());
    }

    private String translateUri(String query) {
        return "http://127.0.0.1:" + httpPort + "/v1/translations?" + query;
    }

    private HttpRequest.Builder request(String path, Duration timeout) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + path))
                .timeout(timeout)
                .header("X-API-Key", key);
    }

    private static boolean sleep(long ms) throws InterruptedException {
        Thread.sleep(ms);
        return true;
    }

    private static String seconds(long sinceNanos) {
        return String.format("%.1f s", (System.nanoTime() - sinceNanos) / 1e9);
    }
}
