package org.stargan.inference;

import io.vertx.core.DeploymentOptions;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.Map;
import org.stargan.kafka.TopicsCommand;
import org.stargan.process.ServiceProcess;

/**
 * Runs one inference worker: {@code stargan-inference-worker [--bootstrap H:P] [--model PATH] [--device cpu] ...};
 * each option also reads from the environment ({@code STARGAN_KAFKA_BOOTSTRAP} or {@code KAFKA_BOOTSTRAP_SERVERS},
 * {@code STARGAN_MODEL}, {@code STARGAN_DEVICE}, {@code STARGAN_TOPIC_PREFIX}, {@code STARGAN_MAX_BATCH},
 * {@code STARGAN_MAX_DELAY_MS}, {@code STARGAN_METRICS_PORT}, {@code STARGAN_WORKER_ID}, {@code STARGAN_GROUP},
 * {@code STARGAN_PRECISION}, {@code STARGAN_KEEP_VERSIONS}, {@code STARGAN_PIN};
 * {@code STARGAN_ANNOUNCE_MODEL=true} publishes the default model on the registry; {@code STARGAN_GROUP_INSTANCE_ID}, a
 * name the worker keeps across restarts and no other worker uses, makes it a static member of its consumer group).
 */
public final class Main {
    private Main() {}

    /** Starts the worker and keeps it running until the JVM is told to stop. */
    public static void main(String[] args) throws Exception {
        InferenceConfig config;
        try {
            config = parse(args, System.getenv());
        } catch (IllegalArgumentException e) {
            System.err.println("inference-worker: " + e.getMessage());
            System.exit(2);
            return;
        }
        // Before anything subscribes or sends: the broker would otherwise auto-create the topics (one partition, the
        // registry not compacted).
        TopicsCommand.ensureAtStart(
                "inference-worker", config.bootstrapServers(), config.topicPrefix(), System.getenv());
        Vertx vertx = Vertx.vertx();
        InferenceVerticle verticle = new InferenceVerticle();
        io.vertx.core.json.JsonObject json = config.toJson()
                .put(
                        "announceDefault",
                        Boolean.parseBoolean(System.getenv().getOrDefault("STARGAN_ANNOUNCE_MODEL", "false")))
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

    static InferenceConfig parse(String[] args, Map<String, String> env) {
        String bootstrap = env.getOrDefault(
                "STARGAN_KAFKA_BOOTSTRAP", env.getOrDefault("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:9092"));
        String model = env.get("STARGAN_MODEL");
        String device = env.getOrDefault("STARGAN_DEVICE", "cpu");
        String prefix = env.getOrDefault("STARGAN_TOPIC_PREFIX", "stargan.");
        String group = env.getOrDefault("STARGAN_GROUP", "stargan-inference");
        String worker = env.getOrDefault(
                "STARGAN_WORKER_ID", "inference-" + ProcessHandle.current().pid());
        String maxBatch = env.getOrDefault("STARGAN_MAX_BATCH", "16");
        String maxDelay = env.getOrDefault("STARGAN_MAX_DELAY_MS", "10");
        String metrics = env.getOrDefault("STARGAN_METRICS_PORT", "9101");
        String precision = env.getOrDefault("STARGAN_PRECISION", "fp32");
        String keep =
                env.getOrDefault("STARGAN_KEEP_VERSIONS", Integer.toString(InferenceConfig.DEFAULT_KEEP_VERSIONS));
        String pin = env.getOrDefault("STARGAN_PIN", "");
        for (int i = 0; i < args.length; i++) {
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException("option " + args[i] + " needs a value");
            }
            String v = args[++i];
            switch (args[i - 1]) {
                case "--bootstrap" -> bootstrap = v;
                case "--model" -> model = v;
                case "--device" -> device = v;
                case "--topic-prefix" -> prefix = v;
                case "--group" -> group = v;
                case "--worker-id" -> worker = v;
                case "--max-batch" -> maxBatch = v;
                case "--max-delay-ms" -> maxDelay = v;
                case "--metrics-port" -> metrics = v;
                case "--precision" -> precision = v;
                case "--keep-versions" -> keep = v;
                case "--pin" -> pin = v;
                default ->
                    throw new IllegalArgumentException("unknown option " + args[i - 1]
                            + "; known: --bootstrap --model --device --topic-prefix --group --worker-id --max-batch"
                            + " --max-delay-ms --metrics-port --precision --keep-versions --pin");
            }
        }
        return new InferenceConfig(
                bootstrap,
                prefix,
                group,
                worker,
                device,
                integer("max-batch", maxBatch),
                integer("max-delay-ms", maxDelay),
                Math.max(256, 4 * integer("max-batch", maxBatch)),
                model,
                integer("metrics-port", metrics),
                org.stargan.infer.Precision.parse(precision).cliName(),
                integer("keep-versions", keep),
                java.util.Arrays.stream(pin.split(","))
                        .map(String::trim)
                        .filter(p -> !p.isEmpty())
                        .toList());
    }

    private static int integer(String name, String v) {
        try {
            return Integer.parseInt(v.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--" + name + " '" + v + "', expected an integer");
        }
    }
}
