package org.stargan.kafka;

import java.util.List;
import java.util.Map;

/**
 * The topics the platform uses and how each must be made ({@code docs/protocol.md}, "Topics"). The two work queues
 * (translation requests, training jobs) get {@code queuePartitions} partitions: a partition is consumed by one member
 * of a group at a time, so a pool of N workers keeps at most {@code queuePartitions} of them busy. The model registry
 * is compacted (one record per model name is all it needs to keep). Everything read in order per key (job events,
 * control) has one partition. A gateway's own reply topic is not here: its name holds the instance id, and the broker
 * creates it on first use.
 */
public final class TopicPlan {
    /** The environment variable that sets {@code queuePartitions} for the services. */
    public static final String QUEUE_PARTITIONS_VARIABLE = "STARGAN_QUEUE_PARTITIONS";

    /** Default partitions of the work queues: at least the largest worker pool (KEDA scales inference to 8). */
    public static final int DEFAULT_QUEUE_PARTITIONS = 16;

    private static final Map<String, String> DELETE = Map.of("cleanup.policy", "delete");
    private static final Map<String, String> COMPACT = Map.of("cleanup.policy", "compact");

    private TopicPlan() {}

    /** Every topic under {@code topics}' prefix. */
    public static List<TopicSpec> platform(Topics topics, int queuePartitions) {
        return List.of(
                new TopicSpec(topics.translateRequests(), queuePartitions, DELETE, true),
                new TopicSpec(topics.trainRequests(), queuePartitions, DELETE, true),
                new TopicSpec(topics.translateResults(), 1, DELETE, false),
                new TopicSpec(topics.deadLetters(), 1, DELETE, false),
                new TopicSpec(topics.trainEvents(), 1, DELETE, false),
                new TopicSpec(topics.trainControl(), 1, DELETE, false),
                new TopicSpec(topics.models(), 1, COMPACT, false));
    }

    /**
     * The work queues' partition count from {@value #QUEUE_PARTITIONS_VARIABLE} in {@code env} (default {@value
     * #DEFAULT_QUEUE_PARTITIONS}); an {@link IllegalArgumentException} naming the variable when it is not a count.
     */
    public static int queuePartitions(Map<String, String> env) {
        String v = env.getOrDefault(QUEUE_PARTITIONS_VARIABLE, Integer.toString(DEFAULT_QUEUE_PARTITIONS));
        try {
            int n = Integer.parseInt(v.trim());
            if (n >= 1 && n <= 10_000) {
                return n;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw new IllegalArgumentException(QUEUE_PARTITIONS_VARIABLE + ": '" + v
                + "', expected a partition count 1..10000 (at least the largest pool of workers)");
    }
}
