package org.stargan.inference;

import io.vertx.core.DeploymentOptions;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.stargan.kafka.BrokerWatch;
import org.stargan.kafka.TopicsCommand;
import org.stargan.options.Option;
import org.stargan.options.OptionException;
import org.stargan.options.OptionTable;
import org.stargan.options.OptionValues;
import org.stargan.process.ServiceProcess;

/**
 * Runs one inference worker. Its options ({@link #OPTIONS}) may also come from {@code STARGAN_*} environment variables
 * (containers, Kubernetes); the command line wins. {@code --help} lists them with their variables.
 * {@code STARGAN_GROUP_INSTANCE_ID}, a name the worker keeps across restarts and no other worker uses, makes it a
 * static member of its consumer group.
 */
public final class Main {
    /** The worker's options, each with the environment variables it is also read from. */
    static final OptionTable OPTIONS = new OptionTable(
                    "inference-worker",
                    List.of(
                            Option.text("bootstrap", "HOST:PORT", "Kafka bootstrap servers")
                                    .byDefault("127.0.0.1:9092"),
                            Option.path(
                                    "model",
                                    "PATH",
                                    "generator served as model 'default' at start (this project's .safetensors or an "
                                            + "official *-G.ckpt); without it the worker waits for the model registry"),
                            Option.flag(
                                    "announce-model", "also publish --model on the registry, so that gateways list it"),
                            Option.text("device", "DEVICE", "cpu or cuda:N").byDefault("cpu"),
                            Option.integer("max-batch", "largest batch of requests run together")
                                    .atLeast(1)
                                    .atMost(1024)
                                    .byDefault(16),
                            Option.integer("max-delay-ms", "longest a request waits for company")
                                    .atLeast(0)
                                    .atMost(10_000)
                                    .byDefault(10),
                            Option.integer("metrics-port", "port of /metrics and /health (0: any free one)")
                                    .atLeast(0)
                                    .atMost(65535)
                                    .byDefault(9101),
                            Option.text("topic-prefix", "PREFIX", "prefix of every topic name")
                                    .byDefault("stargan."),
                            Option.text("group", "GROUP", "consumer group shared by all inference workers")
                                    .byDefault("stargan-inference"),
                            Option.text("worker-id", "ID", "this worker's name (results carry it)")
                                    .defaultDescribed("inference-<pid>"),
                            Option.choice(
                                            "precision",
                                            List.of("fp32", "fp16"),
                                            "fp16 converts the weights once at load (GPUs; README, GPUs)")
                                    .byDefault("fp32"),
                            Option.integer("keep-versions", "newest versions of each model kept loaded")
                                    .atLeast(1)
                                    .byDefault(InferenceConfig.DEFAULT_KEEP_VERSIONS),
                            Option.names("pin", "NAME:VERSION,...", "model versions kept loaded regardless")))
            .withEnvironment("bootstrap", "STARGAN_KAFKA_BOOTSTRAP", "KAFKA_BOOTSTRAP_SERVERS")
            .withEnvironment("model", "STARGAN_MODEL")
            .withEnvironment("announce-model", "STARGAN_ANNOUNCE_MODEL")
            .withEnvironment("device", "STARGAN_DEVICE")
            .withEnvironment("max-batch", "STARGAN_MAX_BATCH")
            .withEnvironment("max-delay-ms", "STARGAN_MAX_DELAY_MS")
            .withEnvironment("metrics-port", "STARGAN_METRICS_PORT")
            .withEnvironment("topic-prefix", "STARGAN_TOPIC_PREFIX")
            .withEnvironment("group", "STARGAN_GROUP")
            .withEnvironment("worker-id", "STARGAN_WORKER_ID")
            .withEnvironment("precision", "STARGAN_PRECISION")
            .withEnvironment("keep-versions", "STARGAN_KEEP_VERSIONS")
            .withEnvironment("pin", "STARGAN_PIN");

    static final String USAGE = OPTIONS.help(
            "inference-worker [--bootstrap HOST:PORT] [--model PATH] [--device cpu|cuda:N] [options]", """
            One inference worker per device: consumes translation requests from Kafka, runs them through the
            generator in dynamic batches, answers on each asker's reply topic, and loads new model versions from the
            registry as they are announced. Needs a broker (./stargan kafka, or --bootstrap); ./stargan demo runs
            one with everything else.""");

    private Main() {}

    /** Starts the worker and keeps it running until the JVM is told to stop. */
    public static void main(String[] args) throws Exception {
        if (OptionTable.asksForHelp(List.of(args))) {
            System.out.print(USAGE);
            return;
        }
        InferenceConfig config;
        boolean announce;
        try {
            OptionValues o = OPTIONS.parse(List.of(args), System.getenv());
            config = config(o);
            announce = o.flag("announce-model");
            if (announce && config.defaultModelPath() == null) {
                throw new OptionException("inference-worker: --announce-model publishes --model, which is not given");
            }
        } catch (IllegalArgumentException e) {
            System.err.println(
                    e.getMessage().startsWith("inference-worker")
                            ? e.getMessage()
                            : "inference-worker: " + e.getMessage());
            System.err.println("(" + OPTIONS.hint() + ")");
            System.exit(2);
            return;
        }
        // The device first: a worker that cannot compute says so at once, not after waiting for a broker.
        org.stargan.device.DeviceCheck.requireOrExit("inference-worker", config.device());
        // Says once, in words, when no broker answers (the clients only retry); started first, as deploying waits for
        // it.
        BrokerWatch.start("inference-worker", config.bootstrapServers(), System.err::println);
        // Before anything subscribes or sends: the broker would otherwise auto-create the topics (one partition, the
        // registry not compacted).
        TopicsCommand.ensureAtStart(
                "inference-worker", config.bootstrapServers(), config.topicPrefix(), System.getenv());
        Vertx vertx = Vertx.vertx();
        InferenceVerticle verticle = new InferenceVerticle();
        io.vertx.core.json.JsonObject json = config.toJson()
                .put("announceDefault", announce)
                // A name this worker keeps across restarts (e.g. a StatefulSet pod's): static group membership.
                .put("groupInstanceId", System.getenv("STARGAN_GROUP_INSTANCE_ID"));
        ServiceProcess.startOrExit(
                "inference-worker",
                vertx.deployVerticle(verticle, new DeploymentOptions().setConfig(json))
                        .toCompletionStage(),
                Duration.ofMinutes(10),
                () -> vertx.close().toCompletionStage());
        System.err.printf(
                "inference worker %s consuming %stranslate.requests on %s (device %s, %s, batches up to %d, wait %d ms)%s%n",
                config.workerId(),
                config.topicPrefix(),
                config.bootstrapServers(),
                config.device(),
                config.precision(),
                config.maxBatch(),
                config.maxDelayMillis(),
                verticle.metricsPort() > 0
                        ? ", metrics on http://127.0.0.1:" + verticle.metricsPort() + "/metrics"
                        : "");
        ServiceProcess.closeOnShutdown("inference-worker", () -> vertx.close().toCompletionStage());
    }

    /** The configuration {@code args} and the environment {@code env} give; an exception names the option at fault. */
    static InferenceConfig parse(String[] args, Map<String, String> env) {
        return config(OPTIONS.parse(List.of(args), env));
    }

    private static InferenceConfig config(OptionValues o) {
        int maxBatch = o.integer("max-batch");
        return new InferenceConfig(
                o.text("bootstrap"),
                o.text("topic-prefix"),
                o.text("group"),
                o.has("worker-id")
                        ? o.text("worker-id")
                        : "inference-" + ProcessHandle.current().pid(),
                o.text("device"),
                maxBatch,
                o.integer("max-delay-ms"),
                // Enough requests decoded ahead to fill a few batches; fewer would leave the device waiting.
                Math.max(256, 4 * maxBatch),
                o.text("model"),
                o.integer("metrics-port"),
                org.stargan.infer.Precision.parse(o.text("precision")).cliName(),
                o.integer("keep-versions"),
                o.has("pin") ? o.names("pin") : List.of());
    }
}
