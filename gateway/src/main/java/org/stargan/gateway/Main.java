package org.stargan.gateway;

import io.vertx.core.DeploymentOptions;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.stargan.kafka.TopicsCommand;
import org.stargan.process.ServiceProcess;

/**
 * Runs one gateway. Options (each also from the environment variable in brackets):
 * {@code --bootstrap H:P} [STARGAN_KAFKA_BOOTSTRAP or KAFKA_BOOTSTRAP_SERVERS], {@code --host 127.0.0.1}
 * [STARGAN_HTTP_HOST], {@code --port 8080} [STARGAN_HTTP_PORT], {@code --api-keys-file FILE} [STARGAN_API_KEYS_FILE],
 * {@code --api-keys key:scope,...} [STARGAN_API_KEYS], {@code --topic-prefix} [STARGAN_TOPIC_PREFIX],
 * {@code --instance-id} [STARGAN_INSTANCE_ID], {@code --timeout-ms 30000}, {@code --max-in-flight 256},
 * {@code --max-in-flight-per-client 64}, {@code --rate-limit 100} (requests/s per client, 0: off),
 * {@code --rate-burst 200}, {@code --max-body-bytes 10485760}, {@code --max-pixels 16777216},
 * {@code --artifact-root DIR} [STARGAN_ARTIFACT_ROOT] (the trainers' artifact store, whose job files — sample grids,
 * logs, checkpoints — {@code GET /v1/training-jobs/{id}/artifacts/...} then serves), {@code --hedge-after-ms 5000}
 * (0: off), and the connection limits {@code --header-timeout-ms 10000}, {@code --body-timeout-ms 30000},
 * {@code --idle-timeout-s 120}, {@code --max-stream-sessions 64}, {@code --max-stream-sessions-per-client 4},
 * {@code --stream-image-budget-bytes 268435456}. Listening beyond the loopback address requires API keys.
 */
public final class Main {
    private static final String USAGE =
            "known options: --bootstrap --host --port --api-keys-file --api-keys --topic-prefix --instance-id --timeout-ms "
                    + "--max-in-flight --max-in-flight-per-client --rate-limit --rate-burst --max-body-bytes --max-pixels --artifact-root "
                    + "--hedge-after-ms --header-timeout-ms --body-timeout-ms --idle-timeout-s --max-stream-sessions "
                    + "--max-stream-sessions-per-client --stream-image-budget-bytes";

    private Main() {}

    /** Starts the gateway and keeps it running until the JVM is told to stop. */
    public static void main(String[] args) throws Exception {
        GatewayConfig config;
        try {
            config = parse(args, System.getenv());
        } catch (IllegalArgumentException e) {
            System.err.println("gateway: " + e.getMessage());
            System.exit(2);
            return;
        }
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

    static GatewayConfig parse(String[] args, Map<String, String> env) {
        Map<String, String> o = new LinkedHashMap<>();
        o.put(
                "bootstrap",
                env.getOrDefault(
                        "STARGAN_KAFKA_BOOTSTRAP", env.getOrDefault("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:9092")));
        o.put("host", env.getOrDefault("STARGAN_HTTP_HOST", "127.0.0.1"));
        o.put("port", env.getOrDefault("STARGAN_HTTP_PORT", "8080"));
        o.put("api-keys-file", env.getOrDefault("STARGAN_API_KEYS_FILE", ""));
        o.put("api-keys", env.getOrDefault("STARGAN_API_KEYS", ""));
        o.put("topic-prefix", env.getOrDefault("STARGAN_TOPIC_PREFIX", "stargan."));
        o.put(
                "instance-id",
                env.getOrDefault(
                        "STARGAN_INSTANCE_ID",
                        "gateway-" + ProcessHandle.current().pid()));
        o.put("timeout-ms", "30000");
        o.put("max-in-flight", "256");
        o.put("max-in-flight-per-client", "");
        o.put("rate-limit", "100");
        o.put("rate-burst", "200");
        o.put("max-body-bytes", Integer.toString(org.stargan.msg.Protocol.MAX_VALUE_BYTES));
        o.put("max-pixels", Long.toString(GatewayConfig.DEFAULT_MAX_PIXELS));
        o.put("artifact-root", env.getOrDefault("STARGAN_ARTIFACT_ROOT", ""));
        o.put("hedge-after-ms", "");
        ConnectionLimits d = ConnectionLimits.DEFAULTS;
        o.put("header-timeout-ms", Long.toString(d.headerTimeoutMillis()));
        o.put("body-timeout-ms", Long.toString(d.bodyTimeoutMillis()));
        o.put("idle-timeout-s", Integer.toString(d.idleTimeoutSeconds()));
        o.put("max-stream-sessions", Integer.toString(d.maxStreamSessions()));
        o.put("max-stream-sessions-per-client", Integer.toString(d.maxStreamSessionsPerClient()));
        o.put("stream-image-budget-bytes", Long.toString(d.streamImageBudgetBytes()));
        if (args.length % 2 != 0) {
            throw new IllegalArgumentException("option " + args[args.length - 1] + " needs a value");
        }
        for (int i = 0; i < args.length; i += 2) {
            String name = args[i].startsWith("--") ? args[i].substring(2) : "";
            if (!o.containsKey(name)) {
                throw new IllegalArgumentException("unknown option " + args[i] + "; " + USAGE);
            }
            o.put(name, args[i + 1]);
        }
        ApiKeys keys = ApiKeys.parsePlain(o.get("api-keys"), "--api-keys");
        if (!o.get("api-keys-file").isBlank()) {
            keys = ApiKeys.readFile(Path.of(o.get("api-keys-file"))).and(keys);
        }
        int maxInFlight = integer(o, "max-in-flight");
        int perClient = o.get("max-in-flight-per-client").isBlank()
                ? Math.max(1, maxInFlight / 4)
                : integer(o, "max-in-flight-per-client");
        double rate;
        try {
            rate = Double.parseDouble(o.get("rate-limit").trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(
                    "--rate-limit: '" + o.get("rate-limit") + "', expected requests per second (0: off)");
        }
        int timeout = integer(o, "timeout-ms");
        ConnectionLimits limits = new ConnectionLimits(
                longInteger(o, "header-timeout-ms"),
                longInteger(o, "body-timeout-ms"),
                integer(o, "idle-timeout-s"),
                integer(o, "max-stream-sessions"),
                integer(o, "max-stream-sessions-per-client"),
                longInteger(o, "stream-image-budget-bytes"));
        return new GatewayConfig(
                o.get("bootstrap"),
                o.get("topic-prefix"),
                o.get("instance-id"),
                o.get("host").trim(),
                integer(o, "port"),
                timeout,
                maxInFlight,
                perClient,
                rate,
                integer(o, "rate-burst"),
                integer(o, "max-body-bytes"),
                longInteger(o, "max-pixels"),
                keys,
                o.get("artifact-root"),
                o.get("hedge-after-ms").isBlank()
                        ? GatewayConfig.defaultHedge(timeout)
                        : longInteger(o, "hedge-after-ms"),
                limits);
    }

    private static long longInteger(Map<String, String> o, String name) {
        try {
            return Long.parseLong(o.get(name).trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--" + name + ": '" + o.get(name) + "', expected an integer");
        }
    }

    private static int integer(Map<String, String> o, String name) {
        try {
            return Integer.parseInt(o.get(name).trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--" + name + ": '" + o.get(name) + "', expected an integer");
        }
    }
}
