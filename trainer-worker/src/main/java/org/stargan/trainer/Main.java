package org.stargan.trainer;

import io.vertx.core.DeploymentOptions;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.stargan.kafka.BrokerWatch;
import org.stargan.kafka.TopicsCommand;
import org.stargan.options.Option;
import org.stargan.options.OptionTable;
import org.stargan.options.OptionValues;
import org.stargan.process.ServiceProcess;

/**
 * Runs one trainer worker. Its options ({@link #OPTIONS}) may also come from {@code STARGAN_*} environment variables
 * (containers, Kubernetes); the command line wins. {@code --help} lists them with their variables.
 */
public final class Main {
    /** The trainer's options, each with the environment variables it is also read from. */
    static final OptionTable OPTIONS = new OptionTable(
                    "trainer-worker",
                    List.of(
                            Option.text("bootstrap", "HOST:PORT", "Kafka bootstrap servers")
                                    .byDefault("127.0.0.1:9092"),
                            Option.path(
                                            "artifacts",
                                            "DIR",
                                            "the artifact store: jobs/<job>/{logs,samples,models} and drawn synthetic "
                                                    + "data go here (give the gateway the same directory as "
                                                    + "--artifact-root)")
                                    .byDefault("runs/artifacts"),
                            Option.path(
                                            "data-root",
                                            "DIR",
                                            "jobs' dataset paths are relative to it, and stay inside it")
                                    .byDefault("."),
                            Option.text("device", "DEVICE", "cpu or cuda:N").byDefault("cpu"),
                            Option.integer("metrics-port", "port of /metrics and /health (0: any free one)")
                                    .atLeast(0)
                                    .atMost(65535)
                                    .byDefault(9102),
                            Option.text("topic-prefix", "PREFIX", "prefix of every topic name")
                                    .byDefault("stargan."),
                            Option.text("group", "GROUP", "consumer group shared by all trainers")
                                    .byDefault("stargan-trainers"),
                            Option.text("worker-id", "ID", "this trainer's name (events carry it)")
                                    .defaultDescribed("trainer-<pid>")))
            .withEnvironment("bootstrap", "STARGAN_KAFKA_BOOTSTRAP", "KAFKA_BOOTSTRAP_SERVERS")
            .withEnvironment("artifacts", "STARGAN_ARTIFACTS")
            .withEnvironment("data-root", "STARGAN_DATA_ROOT")
            .withEnvironment("device", "STARGAN_DEVICE")
            .withEnvironment("metrics-port", "STARGAN_METRICS_PORT")
            .withEnvironment("topic-prefix", "STARGAN_TOPIC_PREFIX")
            .withEnvironment("group", "STARGAN_GROUP")
            .withEnvironment("worker-id", "STARGAN_WORKER_ID");

    static final String USAGE = OPTIONS.help(
            "trainer-worker [--bootstrap HOST:PORT] [--artifacts DIR] [--data-root DIR] [--device cpu|cuda:N] [options]",
            """
            One trainer per device: takes training jobs (POST /v1/training-jobs on the gateway) from Kafka one at a
            time, publishes their progress, sample grids and checkpoints, announces each checkpoint to the inference
            workers, and resumes a job another trainer left unfinished. Needs a broker (./stargan kafka, or
            --bootstrap); ./stargan demo runs one with everything else.""");

    private Main() {}

    /** Starts the trainer and keeps it running until the JVM is told to stop. */
    public static void main(String[] args) throws Exception {
        if (OptionTable.asksForHelp(List.of(args))) {
            System.out.print(USAGE);
            return;
        }
        TrainerConfig config;
        try {
            config = parse(args, System.getenv());
        } catch (IllegalArgumentException e) {
            System.err.println(
                    e.getMessage().startsWith("trainer-worker") ? e.getMessage() : "trainer-worker: " + e.getMessage());
            System.err.println("(" + OPTIONS.hint() + ")");
            System.exit(2);
            return;
        }
        // The device first: a worker that cannot compute says so at once, not after waiting for a broker.
        org.stargan.device.DeviceCheck.requireOrExit("trainer-worker", config.device());
        // Says once, in words, when no broker answers (the clients only retry); started first, as deploying waits for
        // it.
        BrokerWatch.start("trainer-worker", config.bootstrapServers(), System.err::println);
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

    /** The configuration {@code args} and the environment {@code env} give; an exception names the option at fault. */
    static TrainerConfig parse(String[] args, Map<String, String> env) {
        OptionValues o = OPTIONS.parse(List.of(args), env);
        return new TrainerConfig(
                o.text("bootstrap"),
                o.text("topic-prefix"),
                o.text("group"),
                o.has("worker-id")
                        ? o.text("worker-id")
                        : "trainer-" + ProcessHandle.current().pid(),
                o.text("device"),
                o.text("data-root"),
                o.text("artifacts"),
                o.integer("metrics-port"));
    }
}
