package org.stargan.inference;

import io.vertx.core.json.JsonObject;

/**
 * Settings of one inference worker (one per device).
 *
 * @param bootstrapServers Kafka {@code bootstrap.servers}
 * @param topicPrefix prefix of every topic name
 * @param groupId consumer group shared by all inference workers
 * @param workerId this worker's name (results carry it; its registry consumer group derives from it)
 * @param device {@code cpu}, {@code cuda:N}
 * @param maxBatch largest batch
 * @param maxDelayMillis longest a request waits for company
 * @param queueLimit requests accepted but not answered before the consumer pauses
 * @param defaultModelPath checkpoint served as {@code default} version {@code initial} at start (may be null)
 * @param metricsPort port of {@code /metrics} and {@code /health} (0: a free one, −1: none)
 * @param precision {@code fp32} or {@code fp16}: the element type models are converted to when they load
 * @param keepVersions newest versions of a model kept loaded (older ones are freed as new ones arrive)
 * @param pinned {@code name:version} entries kept loaded regardless of {@code keepVersions}
 */
public record InferenceConfig(
        String bootstrapServers,
        String topicPrefix,
        String groupId,
        String workerId,
        String device,
        int maxBatch,
        long maxDelayMillis,
        int queueLimit,
        String defaultModelPath,
        int metricsPort,
        String precision,
        int keepVersions,
        java.util.List<String> pinned) {
    /** Newest versions per model kept loaded unless configured: the latest, and two before it for pinned requests. */
    public static final int DEFAULT_KEEP_VERSIONS = 3;

    /** Validates every field, naming the one at fault. */
    public InferenceConfig {
        if (bootstrapServers == null || bootstrapServers.isBlank()) {
            throw new IllegalArgumentException("bootstrapServers: empty, expected host:port[,host:port]");
        }
        if (maxBatch < 1 || maxBatch > 1024) {
            throw new IllegalArgumentException("maxBatch: " + maxBatch + ", expected 1..1024");
        }
        if (maxDelayMillis < 0 || maxDelayMillis > 10_000) {
            throw new IllegalArgumentException("maxDelayMillis: " + maxDelayMillis + ", expected 0..10000");
        }
        if (queueLimit < maxBatch) {
            throw new IllegalArgumentException(
                    "queueLimit: " + queueLimit + ", expected ≥ maxBatch (" + maxBatch + ")");
        }
        org.stargan.infer.Precision.parse(precision);
        if (keepVersions < 1) {
            throw new IllegalArgumentException("keepVersions: " + keepVersions + ", expected ≥ 1");
        }
        for (String p : pinned) {
            if (!p.matches("[^:]+:[^:]+")) {
                throw new IllegalArgumentException("pinned: '" + p + "', expected name:version");
            }
        }
        pinned = java.util.List.copyOf(pinned);
    }

    /** Float32, the default number of kept versions, nothing pinned. */
    public InferenceConfig(
            String bootstrapServers,
            String topicPrefix,
            String groupId,
            String workerId,
            String device,
            int maxBatch,
            long maxDelayMillis,
            int queueLimit,
            String defaultModelPath,
            int metricsPort) {
        this(
                bootstrapServers,
                topicPrefix,
                groupId,
                workerId,
                device,
                maxBatch,
                maxDelayMillis,
                queueLimit,
                defaultModelPath,
                metricsPort,
                "fp32",
                DEFAULT_KEEP_VERSIONS,
                java.util.List.of());
    }

    /** Reads the verticle's JSON config (keys as the record components); absent keys take the defaults. */
    public static InferenceConfig fromJson(JsonObject j) {
        return new InferenceConfig(
                j.getString("bootstrapServers"),
                j.getString("topicPrefix", "stargan."),
                j.getString("groupId", "stargan-inference"),
                j.getString("workerId", "inference-" + ProcessHandle.current().pid()),
                j.getString("device", "cpu"),
                j.getInteger("maxBatch", 16),
                j.getLong("maxDelayMillis", 10L),
                j.getInteger("queueLimit", 256),
                j.getString("defaultModelPath"),
                j.getInteger("metricsPort", -1),
                j.getString("precision", "fp32"),
                j.getInteger("keepVersions", DEFAULT_KEEP_VERSIONS),
                j.getJsonArray("pinned", new io.vertx.core.json.JsonArray()).stream()
                        .map(Object::toString)
                        .toList());
    }

    /** The JSON form, for {@code DeploymentOptions.setConfig}. */
    public JsonObject toJson() {
        JsonObject j = new JsonObject()
                .put("bootstrapServers", bootstrapServers)
                .put("topicPrefix", topicPrefix)
                .put("groupId", groupId)
                .put("workerId", workerId)
                .put("device", device)
                .put("maxBatch", maxBatch)
                .put("maxDelayMillis", maxDelayMillis)
                .put("queueLimit", queueLimit)
                .put("metricsPort", metricsPort)
                .put("precision", precision)
                .put("keepVersions", keepVersions)
                .put("pinned", new io.vertx.core.json.JsonArray(pinned));
        if (defaultModelPath != null) {
            j.put("defaultModelPath", defaultModelPath);
        }
        return j;
    }
}
