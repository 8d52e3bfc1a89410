package org.stargan.gateway;

import java.util.HashMap;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * Keeps one client from starving the rest: each client (an API key, or the remote address when translation is open)
 * has a token bucket (a steady rate with a burst) and its own bound on translations waiting, well below the
 * gateway's total. Not thread-safe: the gateway calls it from its event loop only.
 */
final class ClientLimits {
    /**
     * The answer to one admission.
     *
     * @param admitted whether the request may go ahead (its slots are then taken until {@link #release})
     * @param reason why not: {@code rate_limited} or {@code client_in_flight}
     * @param retryAfterSeconds when trying again makes sense
     */
    record Decision(boolean admitted, String reason, long retryAfterSeconds) {
        static final Decision ADMITTED = new Decision(true, "", 0);
    }

    private static final class Client {
        double tokens;
        long refilledAt;
        int inFlight;
    }

    private final double ratePerSecond;
    private final int burst;
    private final int maxInFlight;
    private final LongSupplier nanoClock;
    private final Map<String, Client> clients = new HashMap<>();

    /**
     * @param ratePerSecond steady requests per second per client; 0 turns the rate limit off
     * @param burst requests a client may make at once after being idle
     * @param maxInFlight translations one client may have waiting
     * @param nanoClock {@link System#nanoTime} in production
     */
    ClientLimits(double ratePerSecond, int burst, int maxInFlight, LongSupplier nanoClock) {
        this.ratePerSecond = ratePerSecond;
        this.burst = burst;
        this.maxInFlight = maxInFlight;
        this.nanoClock = nanoClock;
    }

    /** Admits {@code n} translations for {@code client} or says why not; admitted ones hold their slots until released. */
    Decision admit(String client, int n) {
        long now = nanoClock.getAsLong();
        Client c = clients.computeIfAbsent(client, k -> {
            Client fresh = new Client();
            fresh.tokens = burst;
            fresh.refilledAt = now;
            return fresh;
        });
        if (c.inFlight + n > maxInFlight) {
            // Retry when about one of its own requests has come back; a second is a fair guess.
            return new Decision(false, "client_in_flight", 1);
        }
        if (ratePerSecond > 0) {
            c.tokens = Math.min(burst, c.tokens + (now - c.refilledAt) / 1e9 * ratePerSecond);
            c.refilledAt = now;
            if (c.tokens < n) {
                return new Decision(
                        false, "rate_limited", Math.max(1, (long) Math.ceil((n - c.tokens) / ratePerSecond)));
            }
            c.tokens -= n;
        }
        c.inFlight += n;
        return Decision.ADMITTED;
    }

    /** Frees {@code n} slots of {@code client}. */
    void release(String client, int n) {
        Client c = clients.get(client);
        if (c != null) {
            c.inFlight = Math.max(0, c.inFlight - n);
        }
    }

    /** Forgets clients with nothing waiting and a full bucket (they would start from the same state), so the map stays small. */
    void forgetIdle() {
        long now = nanoClock.getAsLong();
        clients.values()
                .removeIf(c -> c.inFlight == 0
                        && (ratePerSecond <= 0 || c.tokens + (now - c.refilledAt) / 1e9 * ratePerSecond >= burst));
    }

    /** Clients currently tracked. */
    int tracked() {
        return clients.size();
    }
}
