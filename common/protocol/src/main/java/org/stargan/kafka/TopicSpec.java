package org.stargan.kafka;

import java.util.Map;

/**
 * One topic as the platform needs it.
 *
 * @param name the topic
 * @param partitions how many partitions it gets when created (and at least has, when {@code growable})
 * @param configs topic settings it must have, e.g. {@code cleanup.policy=compact}
 * @param growable whether an existing topic with fewer partitions may be given more: true for work queues, whose
 *     records need no order; false where records of one key must stay in order (adding partitions moves keys)
 */
public record TopicSpec(String name, int partitions, Map<String, String> configs, boolean growable) {
    /** Checks the values, naming the one at fault. */
    public TopicSpec {
        if (name == null || !name.matches("[A-Za-z0-9._-]{1,249}")) {
            throw new IllegalArgumentException("topic name: '" + name + "', expected 1-249 of A-Z a-z 0-9 . _ -");
        }
        if (partitions < 1) {
            throw new IllegalArgumentException("partitions of " + name + ": " + partitions + ", expected ≥ 1");
        }
        configs = Map.copyOf(configs);
    }
}
