package org.stargan.inference;

import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * Which offsets of each partition are done, so that a commit never passes a record whose result is not yet
 * published: the committable offset is one past the longest run of finished records from the last commit.
 */
public final class OffsetTracker {
    private final Map<String, TreeMap<Long, Boolean>> inFlight = new HashMap<>();

    private static String key(String topic, int partition) {
        return topic + "\u0000" + partition;
    }

    /** A record was received. */
    public synchronized void received(String topic, int partition, long offset) {
        inFlight.computeIfAbsent(key(topic, partition), k -> new TreeMap<>()).put(offset, false);
    }

    /** A record's side effect (result or dead letter) is durable. */
    public synchronized void done(String topic, int partition, long offset) {
        TreeMap<Long, Boolean> m = inFlight.get(key(topic, partition));
        if (m != null && m.containsKey(offset)) {
            m.put(offset, true);
        }
    }

    /** The offset to commit for a partition now (and forget the finished prefix), or −1 if nothing new is done. */
    public synchronized long takeCommittable(String topic, int partition) {
        TreeMap<Long, Boolean> m = inFlight.get(key(topic, partition));
        long commit = -1;
        while (m != null && !m.isEmpty() && m.firstEntry().getValue()) {
            commit = m.pollFirstEntry().getKey() + 1;
        }
        return commit;
    }

    /** Whether a record was received and its partition not revoked since (done or not). */
    public synchronized boolean tracks(String topic, int partition, long offset) {
        TreeMap<Long, Boolean> m = inFlight.get(key(topic, partition));
        return m != null && m.containsKey(offset);
    }

    /** Records received but not done. */
    public synchronized int pending() {
        int n = 0;
        for (TreeMap<Long, Boolean> m : inFlight.values()) {
            for (boolean done : m.values()) {
                n += done ? 0 : 1;
            }
        }
        return n;
    }

    /** Forgets a partition (revoked: its records will be redelivered to the new owner). */
    public synchronized void forget(String topic, int partition) {
        inFlight.remove(key(topic, partition));
    }
}
