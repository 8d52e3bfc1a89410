package org.stargan.gateway;

import io.vertx.core.DeploymentOptions;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.stargan.process.ServiceProcess;

/**
 * Runs one gateway: {@code [--bootstrap H:P] [--host 127.0.0.1] [--port 8080] [--api-keys key:role,...]
 * [--timeout-ms 30000] [--max-in-flight 256]}, or the environment ({@code STARGAN_KAFKA_BOOTSTRAP}/{@code KAFKA_BOOTSTRAP_SERVERS},
 * {@code STARGAN_HTTP_HOST}, {@code STARGAN_HTTP_PORT}, {@code STARGAN_API_KEYS}, {@code STARGAN_TOPIC_PREFIX},
 * {@code STARGAN_INSTANCE_ID}). Listening beyond the loopback address requires API keys.
 * {@code --artifact-root DIR} ({@code STARGAN_ARTIFACT_ROOT}): the trainers' artifact store, whose job files (sample grids,
 * logs, checkpoints) {@code GET /v1/training-jobs/{id}/artifacts/...} then serves.
 */
public final class Main {
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
        Vertx vertx = Vertx.vertx();
        GatewayVerticle v = new GatewayVerticle();
        String host = System.getenv().getOrDefault("STARGAN_HTTP_HOST", "127.0.0.1");
        String artifactRoot = System.getenv().getOrDefault("STARGAN_ARTIFACT_ROOT", "");
        for (int i = 0; i + 1 < args.length; i += 2) {
            if (args[i].equals("--host")) {
                host = args[i + 1];
            } else if (args[i].equals("--artifact-root")) {
                artifactRoot = args[i + 1];
            }
        }
        ServiceProcess.startOrExit("gateway", vertx.deployVerticle(v, new DeploymentOptions().setConfig(config.toJson().put("httpHost", host)
                .put("artifactRoot", artifactRoot))).toCompletionStage(),
                Duration.ofMinutes(2), () -> vertx.close().toCompletionStage());
        System.err.printf("gateway %s on http://%s:%d (Kafka %s)%s%n", config.instanceId(), host, v.port(), config.bootstrapServers(),
                config.apiKeys().isEmpty() ? "; no API keys: translation open, training disabled" : "");
        ServiceProcess.closeOnShutdown("gateway", () -> vertx.close().toCompletionStage());
    }

    static GatewayConfig parse(String[] args, Map<String, String> env) {
        String bootstrap = env.getOrDefault("STARGAN_KAFKA_BOOTSTRAP", env.getOrDefault("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:9092"));
        String port = env.getOrDefault("STARGAN_HTTP_PORT", "8080");
        String keys = env.getOrDefault("STARGAN_API_KEYS", "");
        String prefix = env.getOrDefault("STARGAN_TOPIC_PREFIX", "stargan.");
        String id = env.getOrDefault("STARGAN_INSTANCE_ID", "gateway-" + ProcessHandle.current().pid());
        String timeout = "30000";
        String inFlight = "256";
        if (args.length % 2 != 0) {
            throw new IllegalArgumentException("option " + args[args.length - 1] + " needs a value");
        }
        for (int i = 0; i < args.length; i += 2) {
            String v = args[i + 1];
            switch (args[i]) {
                case "--bootstrap" -> bootstrap = v;
                case "--port" -> port = v;
                case "--api-keys" -> keys = v;
                case "--topic-prefix" -> prefix = v;
                case "--instance-id" -> id = v;
                case "--timeout-ms" -> timeout = v;
                case "--max-in-flight" -> inFlight = v;
                case "--host", "--artifact-root" -> { } // read in main: where to listen, which job files to serve
                default -> throw new IllegalArgumentException("unknown option " + args[i]
                        + "; known: --bootstrap --host --port --api-keys --topic-prefix --instance-id --timeout-ms --max-in-flight --artifact-root");
            }
        }
        Map<String, String> apiKeys = new HashMap<>();
        for (String kv : keys.split(",")) {
            if (kv.isBlank()) {
                continue;
            }
            int colon = kv.lastIndexOf(':');
            if (colon <= 0) {
                throw new IllegalArgumentException("--api-keys: '" + kv + "', expected key:role with role user or admin");
            }
            apiKeys.put(kv.substring(0, colon).trim(), kv.substring(colon + 1).trim());
        }
        try {
            return new GatewayConfig(bootstrap, prefix, id, Integer.parseInt(port.trim()), Long.parseLong(timeout.trim()),
                    Integer.parseInt(inFlight.trim()), 10 << 20, apiKeys);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--port/--timeout-ms/--max-in-flight: " + e.getMessage() + ", expected integers");
        }
    }
}
