package org.stargan.trainer;

import io.vertx.core.json.JsonObject;

/**
 * Settings of one trainer worker (one per device).
 *
 * @param bootstrapServers Kafka {@code bootstrap.servers}
 * @param topicPrefix prefix of every topic name
 * @param groupId consumer group shared by all trainers
 * @param workerId this trainer's name (events carry it)
 * @param device {@code cpu}, {@code cuda:N}
 * @param dataRoot jobs' dataset paths are relative to this directory
 * @param artifactRoot the artifact store: {@code jobs/<job>/{logs,samples,models}} and synthetic data live here
 * @param metricsPort port of {@code /metrics} and {@code /health} (0: a free one, −1: none)
 */
public record TrainerConfig(
        String bootstrapServers,
        String topicPrefix,
        String groupId,
        String workerId,
        String device,
        String dataRoot,
        String artifactRoot,
        int metricsPort) {
    /** Validates the fields that have no default. */
    public TrainerConfig {
        if (bootstrapServers == null || bootstrapServers.isBlank()) {
            throw new IllegalArgumentException("bootstrapServers: empty, expected host:port[,host:port]");
        }
        if (artifactRoot == null || artifactRoot.isBlank()) {
            throw new IllegalArgumentException("artifactRoot: empty, expected a writable directory");
        }
    }

    /** Reads the verticle's JSON config; absent keys take the defaults. */
    public static TrainerConfig fromJson(JsonObject j) {
        return new TrainerConfig(
                j.getString("bootstrapServers"),
                j.getString("topicPrefix", "stargan."),
                j.getString("groupId", "stargan-trainers"),
                j.getString("workerId", "trainer-" + ProcessHandle.current().pid()),
                j.getString("device", "cpu"),
                j.getString("dataRoot", "."),
                j.getString("artifactRoot"),
                j.getInteger("metricsPort", -1));
    }

    /** The JSON form. */
    public JsonObject toJson() {
        return new JsonObject()
                .put("bootstrapServers", bootstrapServers)
                .put("topicPrefix", topicPrefix)
                .put("groupId", groupId)
                .put("workerId", workerId)
                .put("device", device)
                .put("dataRoot", dataRoot)
                .put("artifactRoot", artifactRoot)
                .put("metricsPort", metricsPort);
    }
}
