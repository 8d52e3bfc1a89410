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
import org.stargan.options.Option;
import org.stargan.options.OptionException;
import org.stargan.options.OptionTable;
import org.stargan.options.OptionValues;
import org.stargan.trainer.TrainerConfig;
import org.stargan.trainer.TrainerVerticle;

/**
 * {@code ./stargan demo}: the whole system on one machine. The Kafka broker runs in its own JVM (its 4.x jars must not
 * meet the services' 3.7.1 clients); the gateway, one inference worker and one trainer run as verticles in this JVM —
 * one process to start and stop, and the services still talk only through Kafka exactly as they do when deployed
 * apart. The default model (a generator trained on synthetic faces by the README's 48 px recipe) is announced on the
 * registry, a short training run that visibly learns is submitted ({@link DemoTraining}), and Ctrl-C stops everything.
 */
public final class Demo {
    /** What the bundled model is, for people choosing one: it has never seen a photo. */
    static final String SYNTHETIC_MODEL_CARD = "synthetic faces, 48 px — not for photos (trained on faces drawn by"
            + " ./stargan synth; for photos serve the official CelebA generator, see README)";

    /**
     * The announcement of the bundled model: its checkpoint names its domains and size, the announcement adds its card
     * (listed by the gateway's {@code GET /v1/models} and shown by the web UI).
     */
    static ModelAnnouncement defaultModel(Path model, long publishedAtMillis) {
        return new ModelAnnouncement(
                "default",
                "synthetic48",
                model.toAbsolutePath().toUri().toString(),
                publishedAtMillis,
                List.of(),
                0,
                SYNTHETIC_MODEL_CARD);
    }

    /** The demo's options. */
    static final OptionTable OPTIONS = new OptionTable(
            "demo",
            List.of(
                    Option.integer("port", "the gateway's HTTP port: web UI and API")
                            .atLeast(1)
                            .atMost(65535)
                            .byDefault(8080),
                    Option.integer("kafka-port", "the local Kafka broker's port")
                            .atLeast(1)
                            .atMost(65535)
                            .byDefault(9092),
                    Option.integer("inference-metrics-port", "the inference worker's /metrics")
                            .atLeast(1)
                            .atMost(65535)
                            .byDefault(9101),
                    Option.integer("trainer-metrics-port", "the trainer's /metrics")
                            .atLeast(1)
                            .atMost(65535)
                            .byDefault(9102),
                    Option.path(
                                    "dir",
                                    "DIR",
                                    "the broker's data, the training run's files (emptied of the broker's "
                                            + "data at every start)")
                            .defaultDescribed("~/.cache/stargan/demo"),
                    Option.flag(
                            "no-training",
                            "skip the training run (the machine's cores then serve translations only)")));

    static final String USAGE =
            OPTIONS.help("demo [--port 8080] [--kafka-port 9092] [--dir DIR] [--no-training] [options]", """
            Everything on this machine: a local Kafka broker (its own JVM), the gateway with the web UI, an inference
            worker serving the bundled model (synthetic faces, 48 px), a trainer, and a short training run to watch
            (32 px synthetic faces; its sample grids show the hair colours within a few minutes on 2 cores). Prints
            the addresses and an admin key when it is up; Ctrl-C stops everything, broker included.""");

    private Demo() {}

    /** Entry point; {@code --help} lists the options. */
    public static void main(String[] args) throws Exception {
        List<String> a = List.of(args);
        if (OptionTable.asksForHelp(a)) {
            System.out.print(USAGE);
            return;
        }
        OptionValues o;
        try {
            o = OPTIONS.parse(a);
        } catch (OptionException e) {
            System.err.println(e.getMessage());
            System.err.println("(" + OPTIONS.hint() + ")");
            System.exit(2);
            return;
        }
        int port = o.integer("port");
        int kafkaPort = o.integer("kafka-port");
        int inferenceMetricsPort = o.integer("inference-metrics-port");
        int trainerMetricsPort = o.integer("trainer-metrics-port");
        Path home = Path.of(System.getProperty("stargan.home", "."));
        Path dir = o.has("dir")
                ? Path.of(o.text("dir"))
                : Path.of(System.getProperty("user.home"), ".cache", "stargan", "demo");
        boolean training = !o.flag("no-training");
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
        org.stargan.process.FileTree.delete(dir.resolve("kafka"));
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

        // The default reply topic (docs/protocol.md's kcat example; workers answer only on reply topics that exist) is
        // in the platform's plan, created above: creating it again would fail the start with TopicExistsException.
        step("announcing the default model (" + model.getFileName() + ")");
        try (KafkaProducer<String, byte[]> p = new KafkaProducer<>(
                Map.of("bootstrap.servers", bootstrap), new StringSerializer(), new ByteArraySerializer())) {
            p.send(new ProducerRecord<>(
                            topics.models(),
                            "default",
                            defaultModel(model, System.currentTimeMillis()).toJson()))
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
        String jobId = null;
        if (training) {
            // Submitted through the gateway like any user's job: validated, queued with a "queued" event (so the job
            // list shows its model and who asked), then taken by the trainer from Kafka.
            jobId = "demo-" + Long.toHexString(System.currentTimeMillis() & 0xffffff);
            try {
                DemoTraining.submit(http, port, adminKey, jobId);
            } catch (IllegalStateException e) {
                fail(e.getMessage());
            }
            step("submitted training job " + jobId + " (32 px synthetic faces, " + DemoTraining.ITERATIONS
                    + " iterations)");
        }
        System.err.print(DemoTraining.banner(
                (System.nanoTime() - t0) / 1e9,
                port,
                jobId,
                adminKey,
                home.toAbsolutePath()
                        .normalize()
                        .resolve("gateway/src/main/resources/webroot/samples/face1.png")
                        .toString(),
                inferenceMetricsPort,
                trainerMetricsPort,
                bootstrap,
                dir.toString()));
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
