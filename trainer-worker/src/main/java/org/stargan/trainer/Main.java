package org.stargan.trainer;

import io.vertx.core.DeploymentOptions;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.Map;
import org.stargan.kafka.TopicsCommand;
import org.stargan.process.ServiceProcess;

/**
 * Runs one trainer worker: {@code [--bootstrap H:P] [--data-root DIR] [--artifacts DIR] [--device cpu] [--metrics-port N]}, or the
 * environment ({@code STARGAN_KAFKA_BOOTSTRAP}/{@code KAFKA_BOOTSTRAP_SERVERS}, {@code STARGAN_DATA_ROOT},
 * {@code STARGAN_ARTIFACTS}, {@code STARGAN_DEVICE}, {@code STARGAN_TOPIC_PREFIX}, {@code STARGAN_METRICS_PORT},
 * {@code STARGAN_WORKER_ID}, {@code STARGAN_GROUP}).
 */
public final class Main {
    private Main() {}

    /** Starts the trainer and keeps it running until the JVM is told to stop. */
    public static void main(String[] args) throws Exception {
        TrainerConfig config;
        try {
            config = parse(args, System.getenv());
        } catch (IllegalArgumentException e) {
            System.err.println("trainer-worker: " + e.getMessage());
            System.exit(2);
            return;
        }
        // Before anything subscribes or sends: the broker would otherwise auto-create the topics (one partition, the
        // registry not compacted).
        TopicsCommand.ensureAtStart("trainer-worker", config.bootstrapServers(), config.topicPrefix(), System.getenv());
        Vertx vertx = Vertx.vertx();
        TrainerVerticle v = new TrainerVerticle();
        ServiceProcess.startOrExit(
                "trainer-worker",
                vertx.deployVerticle(v, new DeploymentOptions().setConfig(config.toJson()))
                        .toCompletionStage(),
                Duration.ofMinutes(2),
                () -> vertx.close().toCompletionStage());
        System.err.printf(
                "trainer %s consuming %strain.requests on %s (device %s, artifacts in %s)%s%n",
                config.workerId(),
                config.topicPrefix(),
                config.bootstrapServers(),
                config.device(),
                config.artifactRoot(),
                v.metricsPort() > 0 ? ", metrics on http://127.0.0.1:" + v.metricsPort() + "/metrics" : "");
        ServiceProcess.closeOnShutdown("trainer-worker", () -> vertx.close().toCompletionStage());
    }

    static TrainerConfig parse(String[] args, Map<String, String> env) {
        String bootstrap = env.getOrDefault(
                "STARGAN_KAFKA_BOOTSTRAP", env.getOrDefault("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:9092"));
        String data = env.getOrDefault("STARGAN_DATA_ROOT", ".");
        String artifacts = env.getOrDefault("STARGAN_ARTIFACTS", "stargan/artifacts");
        String device = env.getOrDefault("STARGAN_DEVICE", "cpu");
        String prefix = env.getOrDefault("STARGAN_TOPIC_PREFIX", "stargan.");
        String group = env.getOrDefault("STARGAN_GROUP", "stargan-trainers");
        String worker = env.getOrDefault(
                "STARGAN_WORKER_ID", "trainer-" + ProcessHandle.current().pid());
        String metrics = env.getOrDefault("STARGAN_METRICS_PORT", "9102");
        for (int i = 0; i + 1 < args.length; i += 2) {
            String v = args[i + 1];
            switch (args[i]) {
                case "--bootstrap" -> bootstrap = v;
                case "--data-root" -> data = v;
                case "--artifacts" -> artifacts = v;
                case "--device" -> device = v;
                case "--topic-prefix" -> prefix = v;
                case "--group" -> group = v;
                case "--worker-id" -> worker = v;
                case "--metrics-port" -> metrics = v;
                default ->
                    throw new IllegalArgumentException(
                            "unknown option " + args[i]
                                    + "; known: --bootstrap --data-root --artifacts --device --topic-prefix --group --worker-id --metrics-port");
            }
        }
        if (args.length % 2 != 0) {
            throw new IllegalArgumentException("option " + args[args.length - 1] + " needs a value");
        }
        int port;
        try {
            port = Integer.parseInt(metrics.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--metrics-port '" + metrics + "', expected an integer");
        }
        return new TrainerConfig(bootstrap, prefix, group, worker, device, data, artifacts, port);
    }
}
