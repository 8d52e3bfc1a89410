package org.stargan.deploy.monitoring;

import io.vertx.core.Deployable;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.stargan.gateway.GatewayConfig;
import org.stargan.gateway.GatewayVerticle;
import org.stargan.inference.InferenceConfig;
import org.stargan.inference.InferenceVerticle;
import org.stargan.kafka.Topics;
import org.stargan.msg.ModelAnnouncement;
import org.stargan.msg.TrainRequest;
import org.stargan.trainer.TrainerConfig;
import org.stargan.trainer.TrainerVerticle;

/**
 * The three services as deployed (gateway, one inference worker, one trainer) on one broker, each with its own
 * {@code /metrics} port, serving a tiny official-format generator; plus what makes their dashboards move: a
 * translation load through the gateway's HTTP API and a training job sent to the trainers' topic.
 */
final class MonitoredServices implements AutoCloseable {
    private final Vertx vertx = Vertx.vertx();
    private final String bootstrap;
    private final Topics topics;
    private final GatewayVerticle gateway = new GatewayVerticle();
    private final InferenceVerticle inference = new InferenceVerticle();
    private final TrainerVerticle trainer = new TrainerVerticle();
    private final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10))
            .build();
    private final AtomicBoolean loading = new AtomicBoolean();
    private final Map<Integer, AtomicInteger> statuses = new ConcurrentHashMap<>();
    private Thread[] clients = new Thread[0];

    private MonitoredServices(String bootstrap, Topics topics) {
        this.bootstrap = bootstrap;
        this.topics = topics;
    }

    /** Announces the model and starts the services; their registries exist (counters at 0) once this returns. */
    static MonitoredServices start(String bootstrap, Path dir) throws Exception {
        MonitoredServices s = new MonitoredServices(bootstrap, new Topics("mon" + System.nanoTime() % 100000 + "."));
        Path ckpt = dir.resolve("G.ckpt");
        try (var in = MonitoredServices.class.getResourceAsStream("/parity/tiny-G.zip.ckpt")) {
            Files.copy(in, ckpt);
        }
        s.send(
                s.topics.models(),
                "default",
                new ModelAnnouncement("default", "v1", ckpt.toUri().toString(), 1).toJson());
        String p = s.topics.prefix();
        s.deploy(s.inference, new InferenceConfig(bootstrap, p, "i-" + p, "i1", "cpu", 4, 5, 64, null, 0).toJson());
        s.deploy(
                s.trainer,
                new TrainerConfig(
                                bootstrap,
                                p,
                                "t-" + p,
                                "t1",
                                "cpu",
                                dir.toString(),
                                dir.resolve("artifacts").toString(),
                                0)
                        .toJson());
        s.deploy(s.gateway, new GatewayConfig(bootstrap, p, "g1", 0, 30_000, 16, 1 << 20, Map.of()).toJson());
        return s;
    }

    /** The gateway's HTTP port (its /metrics too). */
    int gatewayPort() {
        return gateway.port();
    }

    /** The inference worker's /metrics port. */
    int inferenceMetricsPort() {
        return inference.metricsPort();
    }

    /** The trainer's /metrics port. */
    int trainerMetricsPort() {
        return trainer.metricsPort();
    }

    /** Queues a small training job (16 px, tiny networks) of {@code iterations}, a checkpoint every half. */
    void submitTrainingJob(String jobId, int iterations) throws Exception {
        Map<String, String> options = Map.ofEntries(
                Map.entry("image-size", "16"),
                Map.entry("g-conv-dim", "4"),
                Map.entry("d-conv-dim", "4"),
                Map.entry("g-repeat-num", "1"),
                Map.entry("d-repeat-num", "3"),
                Map.entry("batch-size", "2"),
                Map.entry("num-iters", Integer.toString(iterations)),
                Map.entry("num-iters-decay", "0"),
                Map.entry("log-step", "5"),
                Map.entry("sample-step", Integer.toString(iterations)),
                Map.entry("model-save-step", Integer.toString(iterations / 2)));
        TrainRequest job = new TrainRequest(jobId, "test", "trained", options, Map.of("count", 20, "size", 16));
        send(topics.trainRequests(), jobId, job.toJson());
    }

    /**
     * Starts {@code clients} threads that each translate a sample face through the gateway's HTTP API, one request
     * after another, until {@link #stopLoad}.
     */
    void startLoad(int clients) throws Exception {
        byte[] png;
        try (var in = MonitoredServices.class.getResourceAsStream("/webroot/samples/face1.png")) {
            png = in.readAllBytes();
        }
        URI uri = URI.create("http://127.0.0.1:" + gateway.port() + "/v1/translations?target=domain1=1");
        loading.set(true);
        this.clients = new Thread[clients];
        for (int i = 0; i < clients; i++) {
            this.clients[i] = new Thread(
                    () -> {
                        while (loading.get()) {
                            statuses.computeIfAbsent(translate(uri, png), k -> new AtomicInteger())
                                    .incrementAndGet();
                        }
                    },
                    "load-" + i);
            this.clients[i].start();
        }
    }

    private int translate(URI uri, byte[] png) {
        try {
            return http.send(
                            HttpRequest.newBuilder(uri)
                                    .timeout(Duration.ofSeconds(40))
                                    .header("Content-Type", "image/png")
                                    .POST(HttpRequest.BodyPublishers.ofByteArray(png))
                                    .build(),
                            HttpResponse.BodyHandlers.discarding())
                    .statusCode();
        } catch (java.io.IOException e) {
            return -1; // counted as "no answer"
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    /** Stops the load; answers by HTTP status (-1: no answer). */
    Map<Integer, Integer> stopLoad() throws InterruptedException {
        loading.set(false);
        for (Thread t : clients) {
            t.join(60_000);
        }
        Map<Integer, Integer> out = new java.util.TreeMap<>();
        statuses.forEach((k, v) -> out.put(k, v.get()));
        return out;
    }

    private void send(String topic, String key, byte[] value) throws Exception {
        try (KafkaProducer<String, byte[]> p = new KafkaProducer<>(
                Map.of("bootstrap.servers", bootstrap), new StringSerializer(), new ByteArraySerializer())) {
            p.send(new ProducerRecord<>(topic, key, value)).get(30, TimeUnit.SECONDS);
        }
    }

    private void deploy(Deployable v, JsonObject config) throws Exception {
        vertx.deployVerticle(v, new DeploymentOptions().setConfig(config))
                .toCompletionStage()
                .toCompletableFuture()
                .get(60, TimeUnit.SECONDS);
    }

    @Override
    public void close() throws Exception {
        loading.set(false);
        vertx.close().toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
    }
}
