package org.stargan.gateway;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import java.util.Set;
import org.stargan.msg.Protocol;

/**
 * Settings of one gateway instance.
 *
 * @param bootstrapServers Kafka {@code bootstrap.servers}
 * @param topicPrefix prefix of every topic name
 * @param instanceId this instance's name: its results come back on its own reply topic
 * @param host address to listen on; anything but the loopback address needs API keys
 * @param httpPort HTTP port (0: a free one)
 * @param requestTimeoutMillis deadline of a translation
 * @param maxInFlight translations waiting for results, all clients together, before new ones get 429
 * @param maxInFlightPerClient translations one client (key, or remote address when open) may have waiting
 * @param rateLimitPerSecond steady translation requests per second per client (0: no rate limit)
 * @param rateLimitBurst requests a client may make at once
 * @param maxBodyBytes largest upload
 * @param maxPixels largest image (width × height) accepted, checked from its header before anything decodes it
 * @param apiKeys who may do what; {@link ApiKeys#none()}: translation open, training disabled
 * @param artifactRoot the trainers' artifact store, whose job files the gateway serves; empty: none
 * @param hedgeAfterMillis a translation not answered this long after it was queued is sent once more, to a partition
 *     another worker serves (0: never); the first answer wins
 * @param limits timeouts of slow connections and the bounds of live-edit sessions
 */
public record GatewayConfig(
        String bootstrapServers,
        String topicPrefix,
        String instanceId,
        String host,
        int httpPort,
        long requestTimeoutMillis,
        int maxInFlight,
        int maxInFlightPerClient,
        double rateLimitPerSecond,
        int rateLimitBurst,
        int maxBodyBytes,
        long maxPixels,
        ApiKeys apiKeys,
        String artifactRoot,
        long hedgeAfterMillis,
        ConnectionLimits limits) {
    /** Defaults: 30 s deadline, 256 waiting (64 per client), 100 requests/s per client with bursts of 200, 10 MiB, 4096×4096 pixels. */
    public static final long DEFAULT_MAX_PIXELS = 4096L * 4096;

    /**
     * A translation still unanswered after 5 s is sent once more to another worker's partition: a worker that died
     * with it is then covered long before the group notices (its session timeout) and well within the 30 s deadline,
     * while a healthy queue rarely holds a request that long.
     */
    public static final long DEFAULT_HEDGE_AFTER_MILLIS = 5_000;

    private static final Set<String> LOOPBACK = Set.of("127.0.0.1", "localhost", "::1", "[::1]");

    /** Validates the fields, naming the one at fault. */
    public GatewayConfig {
        if (bootstrapServers == null || bootstrapServers.isBlank()) {
            throw new IllegalArgumentException("bootstrapServers: empty, expected host:port[,host:port]");
        }
        if (instanceId == null || !instanceId.matches("[A-Za-z0-9._-]{1,64}")) {
            throw new IllegalArgumentException(
                    "instanceId: '" + instanceId + "', expected 1-64 characters of A-Z a-z 0-9 . _ -");
        }
        if (httpPort < 0 || httpPort > 65535) {
            throw new IllegalArgumentException("httpPort: " + httpPort + ", expected 0..65535");
        }
        if (requestTimeoutMillis < 100) {
            throw new IllegalArgumentException("requestTimeoutMillis: " + requestTimeoutMillis + ", expected ≥ 100");
        }
        if (maxInFlight < 1 || maxInFlightPerClient < 1 || maxInFlightPerClient > maxInFlight) {
            throw new IllegalArgumentException("maxInFlight / maxInFlightPerClient: " + maxInFlight + " / "
                    + maxInFlightPerClient + ", expected 1 ≤ per client ≤ total");
        }
        if (rateLimitPerSecond < 0 || rateLimitBurst < 1) {
            throw new IllegalArgumentException("rateLimitPerSecond / rateLimitBurst: " + rateLimitPerSecond + " / "
                    + rateLimitBurst + ", expected ≥ 0 (0: off) / ≥ 1");
        }
        if (maxBodyBytes < 1024 || maxBodyBytes > Protocol.MAX_VALUE_BYTES || maxPixels < 1) {
            // Above the protocol's largest request value the broker would refuse the record: one limit end to end.
            throw new IllegalArgumentException("maxBodyBytes / maxPixels: " + maxBodyBytes + " / " + maxPixels
                    + ", expected 1024.." + Protocol.MAX_VALUE_BYTES + " (the protocol's largest request) / ≥ 1");
        }
        if (hedgeAfterMillis != 0 && (hedgeAfterMillis < 100 || hedgeAfterMillis >= requestTimeoutMillis)) {
            throw new IllegalArgumentException("hedgeAfterMillis: " + hedgeAfterMillis + ", expected 0 (off) or 100.."
                    + (requestTimeoutMillis - 1) + " (below requestTimeoutMillis)");
        }
        if (limits == null) {
            limits = ConnectionLimits.DEFAULTS;
        }
        if (host == null || host.isBlank()) {
            throw new IllegalArgumentException("host: empty, expected an address to listen on such as 127.0.0.1");
        }
        if (!isLoopback(host) && (apiKeys.isEmpty() || apiKeys.openToAnyone())) {
            // Secure by default: anyone who can reach a public address could otherwise use the workers.
            throw new IllegalArgumentException(
                    "host: refusing to listen on " + host + " without API keys (or with '*' open translation); "
                            + "configure keys (--api-keys-file FILE, see ./stargan api-key) or bind 127.0.0.1");
        }
        artifactRoot = artifactRoot == null ? "" : artifactRoot.trim();
    }

    /** A loopback gateway with the default limits; {@code plainKeys} maps key → scope (translate, train or admin; key {@code *} opens translation). */
    public GatewayConfig(
            String bootstrapServers,
            String topicPrefix,
            String instanceId,
            int httpPort,
            long requestTimeoutMillis,
            int maxInFlight,
            int maxBodyBytes,
            Map<String, String> plainKeys) {
        this(
                bootstrapServers,
                topicPrefix,
                instanceId,
                "127.0.0.1",
                httpPort,
                requestTimeoutMillis,
                maxInFlight,
                Math.max(1, maxInFlight / 4),
                100,
                200,
                maxBodyBytes,
                DEFAULT_MAX_PIXELS,
                plainKeys.isEmpty() ? ApiKeys.none() : ApiKeys.parsePlain(plain(plainKeys), "apiKeys"),
                "",
                defaultHedge(requestTimeoutMillis),
                ConnectionLimits.DEFAULTS);
    }

    /** The default hedge for a deadline: 5 s, or half a shorter deadline (none below 200 ms). */
    static long defaultHedge(long requestTimeoutMillis) {
        return requestTimeoutMillis / 2 >= 100 ? Math.min(DEFAULT_HEDGE_AFTER_MILLIS, requestTimeoutMillis / 2) : 0;
    }

    /** Whether {@code host} is only reachable from this machine. */
    public static boolean isLoopback(String host) {
        return LOOPBACK.contains(host);
    }

    /** The same settings with other per-client limits. */
    public GatewayConfig withClientLimits(int perClientInFlight, double perSecond, int burst) {
        return fromJson(toJson().put("maxInFlightPerClient", perClientInFlight)
                .put("rateLimitPerSecond", perSecond)
                .put("rateLimitBurst", burst));
    }

    /** The same settings with other keys. */
    public GatewayConfig withApiKeys(ApiKeys keys) {
        return fromJson(toJson().put("apiKeys", keys.toJson()));
    }

    /** The same settings serving job files from {@code root}. */
    public GatewayConfig withArtifactRoot(String root) {
        return fromJson(toJson().put("artifactRoot", root));
    }

    /** The same settings with other connection and session limits. */
    public GatewayConfig withLimits(ConnectionLimits l) {
        return fromJson(toJson().put("limits", l.toJson()));
    }

    /** The same settings hedging after {@code millis} (0: never). */
    public GatewayConfig withHedgeAfterMillis(long millis) {
        return fromJson(toJson().put("hedgeAfterMillis", millis));
    }

    /** Reads the verticle's JSON config ({@link #toJson()}). */
    public static GatewayConfig fromJson(JsonObject j) {
        int maxInFlight = j.getInteger("maxInFlight", 256);
        long timeout = j.getLong("requestTimeoutMillis", 30_000L);
        return new GatewayConfig(
                j.getString("bootstrapServers"),
                j.getString("topicPrefix", "stargan."),
                j.getString("instanceId", "gateway-" + ProcessHandle.current().pid()),
                j.getString("host", "127.0.0.1"),
                j.getInteger("httpPort", 8080),
                timeout,
                maxInFlight,
                j.getInteger("maxInFlightPerClient", Math.max(1, maxInFlight / 4)),
                j.getDouble("rateLimitPerSecond", 100.0),
                j.getInteger("rateLimitBurst", 200),
                j.getInteger("maxBodyBytes", Protocol.MAX_VALUE_BYTES),
                j.getLong("maxPixels", DEFAULT_MAX_PIXELS),
                ApiKeys.fromJson(j.getJsonArray("apiKeys", new JsonArray())),
                j.getString("artifactRoot", ""),
                j.getLong("hedgeAfterMillis", defaultHedge(timeout)),
                ConnectionLimits.fromJson(j.getJsonObject("limits")));
    }

    /** The JSON form; keys appear only as hashes. */
    public JsonObject toJson() {
        return new JsonObject()
                .put("bootstrapServers", bootstrapServers)
                .put("topicPrefix", topicPrefix)
                .put("instanceId", instanceId)
                .put("host", host)
                .put("httpPort", httpPort)
                .put("requestTimeoutMillis", requestTimeoutMillis)
                .put("maxInFlight", maxInFlight)
                .put("maxInFlightPerClient", maxInFlightPerClient)
                .put("rateLimitPerSecond", rateLimitPerSecond)
                .put("rateLimitBurst", rateLimitBurst)
                .put("maxBodyBytes", maxBodyBytes)
                .put("maxPixels", maxPixels)
                .put("apiKeys", apiKeys.toJson())
                .put("artifactRoot", artifactRoot)
                .put("hedgeAfterMillis", hedgeAfterMillis)
                .put("limits", limits.toJson());
    }

    private static String plain(Map<String, String> keys) {
        StringBuilder s = new StringBuilder();
        keys.forEach((k, v) ->
                s.append(s.length() == 0 ? "" : ",").append(k).append(':').append(v));
        return s.toString();
    }
}
