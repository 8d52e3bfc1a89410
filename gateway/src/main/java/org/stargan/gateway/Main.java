package org.stargan.gateway;

import io.vertx.core.DeploymentOptions;
import io.vertx.core.Vertx;
import java.nio.file.Path;
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
 * Runs one gateway. Its options ({@link #OPTIONS}) may also come from {@code STARGAN_*} environment variables
 * (containers, Kubernetes); the command line wins. {@code --help} lists them with their variables. Listening beyond
 * the loopback address requires API keys.
 */
public final class Main {
    private static final ConnectionLimits LIMITS = ConnectionLimits.DEFAULTS;

    /** The gateway's options, each with the environment variables it is also read from. */
    static final OptionTable OPTIONS = new OptionTable(
                    "gateway",
                    List.of(
                            Option.text("bootstrap", "HOST:PORT", "Kafka bootstrap servers")
                                    .byDefault("127.0.0.1:9092"),
                            Option.text(
                                            "host",
                                            "ADDRESS",
                                            "address to listen on; beyond the loopback address the gateway refuses to "
                                                    + "start without API keys")
                                    .byDefault("127.0.0.1"),
                            Option.integer("port", "HTTP port (0: any free one)")
                                    .atLeast(0)
                                    .atMost(65535)
                                    .byDefault(8080),
                            Option.path(
                                    "api-keys-file",
                                    "FILE",
                                    "key file, '<name> sha256:<hash> <scope>' lines (./stargan api-key makes them)"),
                            Option.text(
                                    "api-keys",
                                    "KEY:SCOPE,...",
                                    "plain keys for local use, scope translate, train or admin; '*:translate' opens "
                                            + "translation to callers without a key. Without any key translation is "
                                            + "open and training disabled"),
                            Option.path(
                                    "artifact-root",
                                    "DIR",
                                    "the trainers' --artifacts directory: the training page then shows sample grids "
                                            + "and checkpoints"),
                            Option.text("topic-prefix", "PREFIX", "prefix of every topic name")
                                    .byDefault("stargan."),
                            Option.text(
                                            "instance-id",
                                            "ID",
                                            "this gateway's name, unique per replica: its results come back on its "
                                                    + "own reply topic")
                                    .defaultDescribed("gateway-<pid>"),
                            Option.integer("timeout-ms", "deadline of a translation")
                                    .atLeast(100)
                                    .byDefault(30_000),
                            Option.integer("max-in-flight", "translations waiting for a result, all clients together")
                                    .atLeast(1)
                                    .byDefault(256),
                            Option.integer("max-in-flight-per-client", "translations one client may have waiting")
                                    .atLeast(1)
                                    .defaultDescribed("a quarter of --max-in-flight"),
                            Option.number("rate-limit", "requests per second per client (0: no limit)")
                                    .atLeast(0)
                                    .byDefault(100.0),
                            Option.integer("rate-burst", "requests a client may make at once")
                                    .atLeast(1)
                                    .byDefault(200),
                            Option.integer("max-body-bytes", "largest upload (the protocol's largest request at most)")
                                    .atLeast(1024)
                                    .atMost(org.stargan.msg.Protocol.MAX_VALUE_BYTES)
                                    .byDefault(org.stargan.msg.Protocol.MAX_VALUE_BYTES),
                            Option.wholeNumber("max-pixels", "largest image (width × height), read from its header")
                                    .atLeast(1)
                                    .byDefault(GatewayConfig.DEFAULT_MAX_PIXELS),
                            Option.wholeNumber(
                                            "hedge-after-ms",
                                            "a translation still unanswered after this long is sent once more, to "
                                                    + "another worker's partition (0: never)")
                                    .atLeast(0)
                                    .defaultDescribed("a sixth of --timeout-ms"),
                            Option.wholeNumber("header-timeout-ms", "a connection's request headers must arrive within")
                                    .atLeast(1)
                                    .byDefault(LIMITS.headerTimeoutMillis()),
                            Option.wholeNumber("body-timeout-ms", "a request's body must arrive within (else 408)")
                                    .atLeast(1)
                                    .byDefault(LIMITS.bodyTimeoutMillis()),
                            Option.integer("idle-timeout-s", "an idle connection is closed after")
                                    .atLeast(1)
                                    .byDefault(LIMITS.idleTimeoutSeconds()),
                            Option.integer("max-stream-sessions", "live-edit WebSocket sessions, all clients together")
                                    .atLeast(1)
                                    .byDefault(LIMITS.maxStreamSessions()),
                            Option.integer("max-stream-sessions-per-client", "live-edit sessions one client may hold")
                                    .atLeast(1)
                                    .byDefault(LIMITS.maxStreamSessionsPerClient()),
                            Option.wholeNumber(
                                            "stream-image-budget-bytes",
                                            "bytes of images all live-edit sessions together may hold")
                                    .atLeast(1)
                                    .byDefault(LIMITS.streamImageBudgetBytes())))
            .withEnvironment("bootstrap", "STARGAN_KAFKA_BOOTSTRAP", "KAFKA_BOOTSTRAP_SERVERS")
            .withEnvironment("host", "STARGAN_HTTP_HOST")
            .withEnvironment("port", "STARGAN_HTTP_PORT")
            .withEnvironment("api-keys-file", "STARGAN_API_KEYS_FILE")
            .withEnvironment("api-keys", "STARGAN_API_KEYS")
            .withEnvironment("artifact-root", "STARGAN_ARTIFACT_ROOT")
            .withEnvironment("topic-prefix", "STARGAN_TOPIC_PREFIX")
            .withEnvironment("instance-id", "STARGAN_INSTANCE_ID");

    static final String USAGE =
            OPTIONS.help("gateway [--bootstrap HOST:PORT] [--port 8080] [--api-keys-file FILE] [options]", """
            The HTTP API and web UI in front of Kafka: translations (POST /v1/translations, the WebSocket /v1/stream),
            training jobs (/v1/training-jobs), /v1/models, /metrics, /health/ready. Needs a broker (./stargan kafka,
            or --bootstrap) and, to answer translations, an inference worker; ./stargan demo runs them all.""");

    private Main() {}

    /** Starts the gateway and keeps it running until the JVM is told to stop. */
    public static void main(String[] args) throws Exception {
        if (OptionTable.asksForHelp(List.of(args))) {
            System.out.print(USAGE);
            return;
        }
        GatewayConfig config;
        try {
            config = parse(args, System.getenv());
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage().startsWith("gateway") ? e.getMessage() : "gateway: " + e.getMessage());
            System.err.println("(" + OPTIONS.hint() + ")");
            System.exit(2);
            return;
        }
        // Says once, in words, when no broker answers (the clients only retry); started first, as deploying waits for
        // it.
        BrokerWatch.start("gateway", config.bootstrapServers(), System.err::println);
        // Before anything subscribes or sends: the broker would otherwise auto-create the topics (one partition, the
        // registry not compacted).
        TopicsCommand.ensureAtStart("gateway", config.bootstrapServers(), config.topicPrefix(), System.getenv());
        Vertx vertx = Vertx.vertx();
        GatewayVerticle v = new GatewayVerticle();
        ServiceProcess.startOrExit(
                "gateway",
                vertx.deployVerticle(v, new DeploymentOptions().setConfig(config.toJson()))
                        .toCompletionStage(),
                Duration.ofMinutes(2),
                () -> vertx.close().toCompletionStage());
        System.err.printf(
                "gateway %s on http://%s:%d (Kafka %s)%s%n",
                config.instanceId(),
                config.host(),
                v.port(),
                config.bootstrapServers(),
                config.apiKeys().isEmpty()
                        ? "; no API keys: translation open to this machine, training disabled"
                        : config.apiKeys().openToAnyone() ? "; translation open to callers without a key" : "");
        ServiceProcess.closeOnShutdown("gateway", () -> vertx.close().toCompletionStage());
    }

    /** The configuration {@code args} and the environment {@code env} give; an exception names the option at fault. */
    static GatewayConfig parse(String[] args, Map<String, String> env) {
        OptionValues o = OPTIONS.parse(List.of(args), env);
        ApiKeys keys = ApiKeys.parsePlain(o.has("api-keys") ? o.text("api-keys") : "", "--api-keys");
        if (o.has("api-keys-file")) {
            keys = ApiKeys.readFile(Path.of(o.text("api-keys-file"))).and(keys);
        }
        int maxInFlight = o.integer("max-in-flight");
        int perClient = o.integer("max-in-flight-per-client", Math.max(1, maxInFlight / 4));
        if (perClient > maxInFlight) {
            throw new OptionException("gateway: --max-in-flight-per-client " + perClient + " with --max-in-flight "
                    + maxInFlight + ": one client cannot have more waiting than all together; lower the first or "
                    + "raise the second");
        }
        String host = o.text("host").trim();
        if (!GatewayConfig.isLoopback(host) && (keys.isEmpty() || keys.openToAnyone())) {
            // Secure by default: anyone who can reach a public address could otherwise use the workers.
            throw new OptionException("gateway: --host " + host + ": refusing to listen on " + host
                    + " without API keys (or with '*' open translation); give keys (--api-keys-file FILE, made by "
                    + "./stargan api-key) or keep --host 127.0.0.1");
        }
        return new GatewayConfig(
                o.text("bootstrap"),
                o.text("topic-prefix"),
                o.has("instance-id")
                        ? o.text("instance-id")
                        : "gateway-" + ProcessHandle.current().pid(),
                host,
                o.integer("port"),
                o.integer("timeout-ms"),
                maxInFlight,
                perClient,
                o.number("rate-limit"),
                o.integer("rate-burst"),
                o.integer("max-body-bytes"),
                o.wholeNumber("max-pixels"),
                keys,
                o.has("artifact-root") ? o.text("artifact-root") : "",
                o.has("hedge-after-ms")
                        ? o.wholeNumber("hedge-after-ms")
                        : GatewayConfig.defaultHedge(o.integer("timeout-ms")),
                new ConnectionLimits(
                        o.wholeNumber("header-timeout-ms"),
                        o.wholeNumber("body-timeout-ms"),
                        o.integer("idle-timeout-s"),
                        o.integer("max-stream-sessions"),
                        o.integer("max-stream-sessions-per-client"),
                        o.wholeNumber("stream-image-budget-bytes")));
    }
}
