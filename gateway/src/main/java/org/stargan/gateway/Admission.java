package org.stargan.gateway;

import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import java.util.function.IntSupplier;
import java.util.function.Supplier;
import java.util.function.ToIntFunction;

/**
 * Whether a translation may be queued now: the broker is reachable (the state readiness reports too, see
 * {@link BrokerHealth}), the gateway as a whole has room ({@code maxInFlight} waiting), and the client has its share
 * left and is within its rate ({@link ClientLimits}). Admitted translations hold their slots until released. Event
 * loop only.
 */
final class Admission {
    /** The reason of a refusal while the broker is unreachable (answered 503, not 429). */
    static final String BROKER_UNREACHABLE = "broker_unreachable";

    private final ClientLimits limits;
    private final IntSupplier inFlight;
    private final Supplier<String> brokerProblem;
    private final GatewayConfig config;

    /** @param inFlight translations the gateway waits for now */
    Admission(GatewayConfig config, IntSupplier inFlight) {
        this(config, inFlight, () -> null);
    }

    /**
     * @param inFlight translations the gateway waits for now
     * @param brokerProblem why the broker cannot be reached now, or null when it can
     */
    Admission(GatewayConfig config, IntSupplier inFlight, Supplier<String> brokerProblem) {
        this.config = config;
        this.inFlight = inFlight;
        this.brokerProblem = brokerProblem;
        this.limits = new ClientLimits(
                config.rateLimitPerSecond(), config.rateLimitBurst(), config.maxInFlightPerClient(), System::nanoTime);
    }

    /** {@code n} slots of the gateway's and of {@code client}'s, or why not; taken slots are freed by {@link #release}. */
    ClientLimits.Decision take(String client, int n) {
        if (brokerProblem.get() != null) {
            // Nothing could be queued: say so now rather than at the deadline.
            return new ClientLimits.Decision(false, BROKER_UNREACHABLE, 1);
        }
        return inFlight.getAsInt() + n > config.maxInFlight()
                ? new ClientLimits.Decision(false, "in_flight", 1)
                : limits.admit(client, n);
    }

    /** Frees {@code n} slots of {@code client}. */
    void release(String client, int n) {
        limits.release(client, n);
    }

    /** What a refused admission tells the client. */
    String refusal(String client, ClientLimits.Decision d) {
        return switch (d.reason()) {
            case BROKER_UNREACHABLE -> String.valueOf(brokerProblem.get());
            case "in_flight" ->
                "this gateway already waits for " + inFlight.getAsInt() + " translations (limit " + config.maxInFlight()
                        + "); retry shortly";
            case "rate_limited" ->
                client + ": more than " + config.rateLimitPerSecond() + " requests per second (bursts of "
                        + config.rateLimitBurst() + ")";
            default ->
                client + ": already " + config.maxInFlightPerClient()
                        + " translations waiting, this client's share; retry when one is back";
        };
    }

    /**
     * A route handler (after {@link AuthHandler}) that takes {@code slots} for the request until its response ends,
     * or answers 429 with Retry-After (503 while the broker is unreachable).
     */
    Handler<RoutingContext> handler(ToIntFunction<RoutingContext> slots, ApiErrors errors) {
        return ctx -> {
            String client = AuthHandler.client(ctx);
            int n = slots.applyAsInt(ctx);
            ClientLimits.Decision d = take(client, n);
            if (!d.admitted()) {
                ctx.response().putHeader("Retry-After", Long.toString(d.retryAfterSeconds()));
                if (d.reason().equals(BROKER_UNREACHABLE)) {
                    errors.send(ctx, 503, "unavailable", d.reason(), refusal(client, d));
                } else {
                    errors.send(ctx, 429, "too_many_requests", d.reason(), refusal(client, d));
                }
                return;
            }
            // Through the routing context rather than response().closeHandler, which Vert.x Web itself uses to run
            // end handlers.
            ctx.addEndHandler(v -> release(client, n));
            ctx.next();
        };
    }

    /** Forgets idle clients (call now and then, so the table stays small). */
    void forgetIdle() {
        limits.forgetIdle();
    }

    /** Clients with a rate-limit or in-flight record. */
    int tracked() {
        return limits.tracked();
    }
}
