package org.stargan.gateway;

import java.util.HashMap;
import java.util.Map;

/**
 * The bounds of {@code /v1/stream}: how many sessions are open, all clients together and per client, and how many
 * bytes of images they hold, so that many sockets (each keeping an image of up to the body limit) cannot exhaust the
 * gateway's memory. Event loop only.
 */
final class StreamSessions {
    private final ConnectionLimits limits;
    private final Map<String, Integer> perClient = new HashMap<>();
    private int open;
    private long heldBytes;

    StreamSessions(ConnectionLimits limits) {
        this.limits = limits;
    }

    /** Why {@code client} may not open another session now, or null when it may. */
    String refusal(String client) {
        if (open >= limits.maxStreamSessions()) {
            return "this gateway already has " + open + " live-edit sessions open (its limit); retry shortly";
        }
        int own = perClient.getOrDefault(client, 0);
        if (own >= limits.maxStreamSessionsPerClient()) {
            return client + ": already " + own + " live-edit sessions open, this client's limit of "
                    + limits.maxStreamSessionsPerClient() + "; close one first";
        }
        return null;
    }

    /** A session of {@code client} opened (after {@link #refusal} said it may). */
    void opened(String client) {
        open++;
        perClient.merge(client, 1, Integer::sum);
    }

    /** A session of {@code client} closed. */
    void closed(String client) {
        open--;
        perClient.computeIfPresent(client, (k, n) -> n > 1 ? n - 1 : null);
    }

    /** Takes {@code bytes} more of the image budget; false (nothing taken) when that would exceed it. */
    boolean hold(long bytes) {
        if (heldBytes + bytes > limits.streamImageBudgetBytes()) {
            return false;
        }
        heldBytes += bytes;
        return true;
    }

    /** Gives {@code bytes} of the image budget back. */
    void release(long bytes) {
        heldBytes -= bytes;
    }

    /** Open sessions. */
    int open() {
        return open;
    }

    /** Bytes of images held. */
    long heldBytes() {
        return heldBytes;
    }
}
