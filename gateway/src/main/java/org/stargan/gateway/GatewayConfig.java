package org.stargan.gateway;

import io.vertx.core.json.JsonObject;
import java.util.HashMap;
import java.util.Map;

/**
 * Settings of one gateway instance.
 *
 * @param bootstrapServers Kafka {@code bootstrap.servers}
 * @param topicPrefix prefix of every topic name
 * @param instanceId this instance's name: its results come back on its own reply topic
 * @param httpPort HTTP port (0: a free one)
 * @param requestTimeoutMillis deadline of a translation
 * @param maxInFlight translations waiting for results before new ones get 429
 * @param maxBodyBytes largest upload
 * @param apiKeys key → role ({@code user} may translate; {@code admin} may also train); the key {@code *} with role
 *     {@code user} opens translation to callers without a key; empty: translation is open and training is disabled
 */
public record GatewayConfig(String bootstrapServers, String topicPrefix, String instanceId, int httpPort, long requestTimeoutMillis,
        int maxInFlight, int maxBodyBytes, Map<String, String> apiKeys) {
    /** Validates the fields. */
    public GatewayConfig {
        if (bootstrapServers == null || bootstrapServers.isBlank()) {
            throw new IllegalArgumentException("bootstrapServers: empty, expected host:port[,host:port]");
        }
        if (instanceId == null || !instanceId.matches("[A-Za-z0-9._-]{1,64}")) {
            throw new IllegalArgumentException("instanceId: '" + instanceId + "', expected 1-64 characters of A-Z a-z 0-9 . _ -");
        }
        if (requestTimeoutMillis < 100 || maxInFlight < 1 || maxBodyBytes < 1024) {
            throw new IllegalArgumentException("requestTimeoutMillis ≥ 100, maxInFlight ≥ 1, maxBodyBytes ≥ 1024; found "
                    + requestTimeoutMillis + ", " + maxInFlight + ", " + maxBodyBytes);
        }
        if (apiKeys.containsKey("*") && !apiKeys.get("*").equals("user")) {
            throw new IllegalArgumentException("apiKeys: '*' (anyone) may only have role user");
        }
        for (Map.Entry<String, String> e : apiKeys.entrySet()) {
            if (!e.getValue().equals("user") && !e.getValue().equals("admin")) {
                throw new IllegalArgumentException("apiKeys: role '" + e.getValue() + "', expected user or admin");
            }
        }
        apiKeys = Map.copyOf(apiKeys);
    }

    /** Reads the verticle's JSON config. */
    public static GatewayConfig fromJson(JsonObject j) {
        Map<String, String> keys = new HashMap<>();
        JsonObject k = j.getJsonObject("apiKeys", new JsonObject());
        k.forEach(e -> keys.put(e.getKey(), String.valueOf(e.getValue())));
        return new GatewayConfig(j.getString("bootstrapServers"), j.getString("topicPrefix", "stargan."),
                j.getString("instanceId", "gateway-" + ProcessHandle.current().pid()), j.getInteger("httpPort", 8080),
                j.getLong("requestTimeoutMillis", 30_000L), j.getInteger("maxInFlight", 256), j.getInteger("maxBodyBytes", 10 << 20), keys);
    }

    /** The JSON form. */
    public JsonObject toJson() {
        JsonObject keys = new JsonObject();
        apiKeys.forEach(keys::put);
        return new JsonObject().put("bootstrapServers", bootstrapServers).put("topicPrefix", topicPrefix).put("instanceId", instanceId)
                .put("httpPort", httpPort).put("requestTimeoutMillis", requestTimeoutMillis).put("maxInFlight", maxInFlight)
                .put("maxBodyBytes", maxBodyBytes).put("apiKeys", keys);
    }
}
