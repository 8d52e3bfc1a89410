package org.stargan.deploy;

import io.vertx.core.Vertx;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.stargan.gateway.GatewayConfig;
import org.stargan.gateway.GatewayVerticle;
import org.stargan.inference.InferenceConfig;
import org.stargan.inference.InferenceVerticle;
import org.stargan.kafka.LocalKafka;
import org.stargan.kafka.TopicPlan;
import org.stargan.kafka.TopicSetup;
import org.stargan.kafka.Topics;
import org.stargan.msg.ModelAnnouncement;
import org.stargan.trainer.TrainerConfig;
import org.stargan.trainer.TrainerVerticle;

/**
 * {@code ./stargan demo}: the whole system on one machine. The Kafka broker runs in its own JVM (its 4.x jars must not
 * meet the services' 3.7.1 clients); the gateway, one inference worker and one trainer run as verticles in this JVM —
 * one process to start and stop, and the services still talk only through Kafka exactly as they do when deployed
 * apart. The default model (a generator trained on synthetic faces by the README's 48 px recipe) is announced on the
 * registry, a small training run is submitted so there are losses to watch, and Ctrl-C stops everything.
 */
public final class Demo {
    /** What the bundled model is, for people choosing one: it has never seen a photo. */
    static final String SYNTHETIC_MODEL_CARD = "synthetic faces, 48 px — not for photos (trained on faces drawn by"
            + " ./stargan synth; for photos serve the official CelebA generator, see README)";

    private Demo() {}

    /**
     * Entry point: {@code [--port 8080] [--kafka-port 9092] [--inference-metrics-port 9101] [--trainer-metrics-port 9102]
     * [--dir DIR] [--no-training]}.
     */
    public static void main(String[] args) throws Exception {
        int port = 8080;
        int kafkaPort = 9092;
        int inferenceMetricsPort = 9101;
        int trainerMetricsPort = 9102;
        Path home = Path.of(System.getProperty("stargan.home", "."));
        Path dir = Path.of(System.getProperty("user.home"), ".cache", "stargan", "demo");
        boolean training = true;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--port" -> port = portArg(args, ++i);
                case "--kafka-port" -> kafkaPort = portArg(args, ++i);
                case "--inference-metrics-port" -> inferenceMetricsPort = portArg(args, ++i);
                case "--trainer-metrics-port" -> trainerMetricsPort = portArg(args, ++i);
                case "--dir" -> dir = Path.of(args[++i]);
                case "--no-training" -> training = false;
                default -> {
                    System.err.println("demo: unknown option " + args[i]
                            + "; known: --port N --kafka-port N --inference-metrics-port N --trainer-metrics-port N "
                            + "--dir DIR --no-training");
                    System.exit(2);
                }
            }
        }
        Path model = home.resolve("deploy/models/synthetic48-G.safetensors");
        if (!Files.isRegularFile(model)) {
            fail("the default model " + model + " is missing; run from a checkout of the project");
        }
        checkFree(port, "--port");
        checkFree(kafkaPort, "--kafka-port");
        checkFree(inferenceMetricsPort, "--inference-metrics-port");
        checkFree(trainerMetricsPort, "--trainer-metrics-port");
        Files.createDirectories(dir);
        long t0 = System.nanoTime();

        // A fresh broker every time: the demo's topics and consumer groups start empty (a previous run's group members
        // would otherwise hold the request partitions until their session times out).
        Deployments.deleteTree(dir.resolve("kafka"));
        step("starting the local Kafka broker on 127.0.0.1:" + kafkaPort);
        LocalKafka kafka = LocalKafka.start(home.resolve("deploy/kafka-broker"), kafkaPort, dir.resolve("kafka"), 120);
        String bootstrap = kafka.bootstrapServers();
        Topics topics = Topics.defaults();
        // As the services' mains do: the registry compacted, the work queues with room for more workers.
        TopicSetup.ensure(
                bootstrap,
                TopicPlan.platform(topics, TopicPlan.DEFAULT_QUEUE_PARTITIONS),
                java.time.Duration.ofSeconds(60));
        Vertx vertx = Vertx.vertx();
        Runtime.getRuntime()
                .addShutdownHook(new Thread(
                        () -> {
                            System.err.println("\nstopping: services, then the broker...");
                            try {
                                vertx.close()
                                        .toCompletionStage()
                                        .toCompletableFuture()
                                        .get(60, TimeUnit.SECONDS);
                            } catch (Exception ignored) {
                                // stopping anyway
                            }
                            kafka.close();
                            System.err.println("stopped.");
                        },
                        "demo-stop"));

        // The default reply topic (docs/protocol.md's kcat example): workers answer only on reply topics that exist.
        try (org.apache.kafka.clients.admin.Admin admin =
                org.apache.kafka.clients.admin.Admin.create(Map.of("bootstrap.servers", bootstrap))) {
            admin.createTopics(List.of(new org.apache.kafka.clients.admin.NewTopic(
                            topics.translateResults(), java.util.Optional.empty(), java.util.Optional.empty())))
                    .all()
                    .get(60, TimeUnit.SECONDS);
        }
        step("announcing the default model (" + model.getFileName() + ")");
        try (KafkaProducer<String, byte[]> p = new KafkaProducer<>(
                Map.of("bootstrap.servers", bootstrap), new StringSerializer(), new ByteArraySerializer())) {
            p.send(new ProducerRecord<>(
                            topics.models(),
                            "default",
                            new ModelAnnouncement(
                                            "default",
                                            "synthetic48",
                                            model.toAbsolutePath().toUri().toString(),
                                            System.currentTimeMillis(),
                                            List.of(),
                                            0,
                                            SYNTHETIC_MODEL_CARD)
                                    .toJson()))
                    .get();
        }
        step("starting an inference worker (cpu)");
        deploy(
                vertx,
                new InferenceVerticle(),
                new InferenceConfig(
                                bootstrap,
                                topics.prefix(),
                                "stargan-inference",
                                "inference-1",
                                "cpu",
                                8,
                                10,
                                256,
                                null,
                                inferenceMetricsPort)
                        .toJson());
        step("starting a trainer worker (cpu)");
        deploy(
                vertx,
                new TrainerVerticle(),
                new TrainerConfig(
                                bootstrap,
                                topics.prefix(),
                                "stargan-trainers",
                                "trainer-1",
                                "cpu",
                                dir.toString(),
                                dir.resolve("artifacts").toString(),
                                trainerMetricsPort)
                        .toJson());
        String adminKey = HexFormat.of().formatHex(new SecureRandom().generateSeed(12));
        step("starting the gateway on http://127.0.0.1:" + port);
        GatewayVerticle gateway = new GatewayVerticle();
        // The gateway reads the trainer's artifact store so that the training page can show sample grids.
        deploy(
                vertx,
                gateway,
                new GatewayConfig(
                                bootstrap,
                                topics.prefix(),
                                "gateway-1",
                                port,
                                30_000,
                                256,
                                10 << 20,
                                Map.of(adminKey, "admin", "*", "translate"))
                        .withArtifactRoot(dir.resolve("artifacts").toString())
                        .toJson());
        HttpClient http = HttpClient.newHttpClient();
        awaitReady(http, port, 60);
        // Translation stays open for the demo (a user key would be needed if any were configured); training needs the
        // key.
        if (training) {
            // Submitted through the gateway like any user's job: validated, queued with a "queued" event (so the job
            // list shows its model and who asked), then taken by the trainer from Kafka.
            String jobId = "demo-" + Long.toHexString(System.currentTimeMillis() & 0xffffff);
            String body = """
                    {"job_id": "%s", "requested_by": "demo", "model": "demo",
                     "synthetic": {"count": 2000, "size": 32, "seed": 1},
                     "options": {"image-size": 32, "g-conv-dim": 16, "d-conv-dim": 16, "g-repeat-num": 2, "d-repeat-num": 5,
                                 "batch-size": 8, "num-iters": 2000, "num-iters-decay": 1000, "sample-step": 200,
                                 "model-save-step": 500}}
                    """.formatted(jobId);
            HttpResponse<String> submitted = http.send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/training-jobs"))
                            .header("Content-Type", "application/json")
                            .header("X-API-Key", adminKey)
                            .timeout(Duration.ofSeconds(30))
                            .POST(HttpRequest.BodyPublishers.ofString(body))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            if (submitted.statusCode() / 100 != 2) {
                fail("the gateway refused the demo's training job: " + submitted.statusCode() + " " + submitted.body());
            }
            step("submitted training job " + jobId + " (32 px synthetic faces, 2000 iterations)");
            System.err.printf(
                    """

                    StarGAN demo is up in %.0f s
                      web UI and API   http://127.0.0.1:%d/            (translation is open)
                      training page    http://127.0.0.1:%d/training.html?job=%s
                      admin API key    %s   (training page and routes: X-API-Key header)
                      training events  curl -N -H 'X-API-Key: %s' http://127.0.0.1:%d/v1/training-jobs/%s/events
                      translate        curl -s -X POST -H 'Content-Type: image/png' --data-binary @face.png \\
                                         'http://127.0.0.1:%d/v1/translations?target=Blond_Hair=1' > blond.png
                      metrics          http://127.0.0.1:%d/metrics (inference), :%d (trainer), :%d/metrics (gateway)
                      Kafka            %s   (topics stargan.*; docs/protocol.md)
                      files            %s
                    Ctrl-C stops everything.
                    """,
                    (System.nanoTime() - t0) / 1e9,
                    port,
                    port,
                    jobId,
                    adminKey,
                    adminKey,
                    port,
                    jobId,
                    port,
                    inferenceMetricsPort,
                    trainerMetricsPort,
                    port,
                    bootstrap,
                    dir);
        } else {
            System.err.printf(
                    "%nStarGAN demo is up: http://127.0.0.1:%d/ (admin key %s). Ctrl-C stops everything.%n",
                    port, adminKey);
        }
        Thread.currentThread().join();
    }

    private static void deploy(Vertx vertx, io.vertx.core.Deployable verticle, io.vertx.core.json.JsonObject config)
            throws Exception {
        try {
            Deployments.deploy(vertx, verticle, config);
        } catch (IllegalStateException e) {
            fail(e.getMessage());
        }
    }

    /** The port after option {@code args[i - 1]}, or a usage error naming the option and the value. */
    private static int portArg(String[] args, int i) {
        String value = i < args.length ? args[i] : null;
        try {
            int p = Integer.parseInt(value);
            if (p >= 1 && p <= 65535) {
                return p;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        System.err.println("demo: " + args[i - 1] + " " + (value == null ? "(missing)" : "'" + value + "'")
                + ", expected a port number 1..65535");
        System.exit(2);
        return -1;
    }

    private static void checkFree(int port, String option) {
        try {
            LocalKafka.checkFree(port);
        } catch (IOException e) {
            fail(e.getMessage() + " (" + option + ")");
        }
    }

    /**
     * Waits until the gateway says it can serve (broker connected, model announced and listed, a worker consuming), so
     * that "the demo is up" means a translation sent right then is answered; after {@code seconds} it goes on with the
     * gateway's last reason printed rather than hanging.
     */
    private static void awaitReady(HttpClient http, int port, int seconds) throws InterruptedException {
        step("waiting for the gateway to be ready");
        HttpRequest ask = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health/ready"))
                .timeout(Duration.ofSeconds(5))
                .build();
        String last = "no answer";
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (System.nanoTime() < deadline) {
            try {
                HttpResponse<String> r = http.send(ask, HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200) {
                    return;
                }
                last = r.body();
            } catch (IOException e) {
                last = e.toString();
            }
            Thread.sleep(200);
        }
        System.err.println("warning: the gateway is not ready after " + seconds + " s: " + last);
    }

    private static void step(String what) {
        System.err.println("demo: " + what + "...");
    }

    private static void fail(String message) {
        System.err.println("demo: " + message);
        System.exit(1);
    }
}
