package org.stargan.gateway;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * Matches results arriving from Kafka to the HTTP requests waiting for them, by request id. A result for an id
 * nobody waits for (a redelivered duplicate, or one that arrived after its request timed out) is dropped and counted.
 * Used from the event loop only.
 *
 * @param <R> the result type
 */
public final class ReplyCorrelator<R> {
    private final Map<String, Consumer<R>> waiting = new ConcurrentHashMap<>();
    private long dropped;

    /** Registers {@code onResult} for {@code id}; false if the id is already waiting. */
    public boolean expect(String id, Consumer<R> onResult) {
        return waiting.putIfAbsent(id, onResult) == null;
    }

    /** Delivers a result; returns false (and counts it) when nobody waits for it. */
    public boolean deliver(String id, R result) {
        Consumer<R> c = waiting.remove(id);
        if (c == null) {
            dropped++;
            return false;
        }
        c.accept(result);
        return true;
    }

    /** Gives up on {@code id} (timeout, client gone); a later result is dropped. */
    public boolean forget(String id) {
        return waiting.remove(id) != null;
    }

    /** Requests waiting. */
    public int inFlight() {
        return waiting.size();
    }

    /** Results nobody was waiting for. */
    public long dropped() {
        return dropped;
    }
}
