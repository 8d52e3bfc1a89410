package org.stargan.gateway;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.stargan.msg.TranslateRequest;
import org.stargan.msg.TranslateResult;

/**
 * Sends translate requests and hands each caller its own result: one place owns a request's deadline, its
 * correlation with the result by request id, and its release. A call still unanswered after the hedge delay is sent
 * once more through {@link Transport#resend} (to a partition another worker serves), within a budget of a tenth of
 * the calls, so that a worker dying with requests in flight costs their callers seconds rather than the group's
 * session timeout; the first answer wins. A result for an id nobody waits for any more (the other copy of a hedged
 * call, a duplicate from a redelivery, one after its deadline, one for a cancelled call) is dropped and counted. Every
 * call ends exactly once: with its result, {@link Timeout}, {@link Unavailable} (it could not be queued, or the broker
 * went away, see {@link #failAll}) or {@link Cancelled}. Used from the gateway's event loop; the counters may be read
 * from anywhere.
 */
final class ReplyClient {
    /** Most hedges that may be spent at once; each call earns a tenth of one. */
    static final double HEDGE_BUDGET = 10;

    private static final double HEDGE_PER_CALL = 0.1;

    /** Publishes a request; the future fails when it could not be queued. */
    interface Transport {
        Future<Void> send(TranslateRequest request);

        /**
         * Publishes {@code request} again where another worker would take it; null when there is no such place (one
         * partition, one worker).
         */
        default Future<Void> resend(TranslateRequest request) {
            return null;
        }
    }

    /** One-shot timers (the event loop's in production, a fake clock in tests). */
    interface Timers {
        long schedule(long delayMillis, Runnable task);

        void cancel(long timerId);

        /** The timers of {@code vertx}: tasks run on the caller's context. */
        static Timers of(Vertx vertx) {
            return new Timers() {
                @Override
                public long schedule(long delayMillis, Runnable task) {
                    return vertx.setTimer(delayMillis, t -> task.run());
                }

                @Override
                public void cancel(long timerId) {
                    vertx.cancelTimer(timerId);
                }
            };
        }
    }

    /** No result came within the deadline. */
    static final class Timeout extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Timeout(long millis) {
            super("no result within " + millis + " ms", null, false, false);
        }
    }

    /** The request could not be queued. */
    static final class Unavailable extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Unavailable(Throwable cause) {
            super("the request could not be queued: " + cause.getMessage(), cause, false, false);
        }

        Unavailable(String message) {
            super(message, null, false, false);
        }
    }

    /** The caller gave up (its client went away). */
    static final class Cancelled extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Cancelled() {
            super("cancelled", null, false, false);
        }
    }

    private record Waiting(Promise<TranslateResult> promise, long timerId, long hedgeTimerId) {}

    private final Transport transport;
    private final Timers timers;
    private final String idPrefix;
    private final long hedgeAfterMillis;
    private final AtomicLong counter = new AtomicLong();
    private final Map<String, Waiting> waiting = new ConcurrentHashMap<>();
    private final AtomicLong dropped = new AtomicLong();
    private final AtomicLong hedged = new AtomicLong();
    private double hedgeTokens = HEDGE_BUDGET;

    /** @param idPrefix makes this client's request ids unique among all requesters (the gateway instance's id) */
    ReplyClient(Transport transport, Timers timers, String idPrefix) {
        this(transport, timers, idPrefix, 0);
    }

    /** @param hedgeAfterMillis how long a call waits before it is sent once more (0: never) */
    ReplyClient(Transport transport, Timers timers, String idPrefix, long hedgeAfterMillis) {
        this.transport = transport;
        this.timers = timers;
        this.idPrefix = idPrefix;
        this.hedgeAfterMillis = hedgeAfterMillis;
    }

    /** A request id no other call of any gateway instance uses; {@code kind} tells the calls apart in logs. */
    String newId(String kind) {
        return idPrefix + "-" + kind + counter.incrementAndGet();
    }

    /**
     * Sends {@code request} and completes with its result (an ok or an error result), or fails with {@link Timeout}
     * after {@code timeoutMillis}, with {@link Unavailable} when it could not be queued, or with {@link Cancelled}.
     */
    Future<TranslateResult> send(TranslateRequest request, long timeoutMillis) {
        String id = request.id();
        Promise<TranslateResult> promise = Promise.promise();
        if (waiting.containsKey(id)) {
            return Future.failedFuture(new IllegalStateException("request id '" + id + "' is already waiting"));
        }
        long timer = timers.schedule(timeoutMillis, () -> end(id, new Timeout(timeoutMillis)));
        long hedge = hedgeAfterMillis > 0 && hedgeAfterMillis < timeoutMillis
                ? timers.schedule(hedgeAfterMillis, () -> hedge(request))
                : -1;
        hedgeTokens = Math.min(HEDGE_BUDGET, hedgeTokens + HEDGE_PER_CALL);
        waiting.put(id, new Waiting(promise, timer, hedge));
        transport.send(request).onFailure(e -> end(id, new Unavailable(e)));
        return promise.future();
    }

    /** Sends a call that is still waiting once more, when the budget allows and there is somewhere else to send it. */
    private void hedge(TranslateRequest request) {
        if (!waiting.containsKey(request.id()) || hedgeTokens < 1) {
            return;
        }
        Future<Void> sent = transport.resend(request);
        if (sent != null) {
            hedgeTokens -= 1;
            hedged.incrementAndGet();
            // A failed second send changes nothing: the first copy is still on its way.
            sent.onFailure(e -> {});
        }
    }

    /** Ends {@code id}'s call with {@code failure}; false when it had already ended. */
    private boolean end(String id, RuntimeException failure) {
        Waiting w = waiting.remove(id);
        if (w == null) {
            return false;
        }
        timers.cancel(w.timerId());
        if (w.hedgeTimerId() >= 0) {
            timers.cancel(w.hedgeTimerId());
        }
        w.promise().tryFail(failure);
        return true;
    }

    /** Hands a result to its caller; false (and counted as dropped) when nobody waits for it. */
    boolean deliver(TranslateResult result) {
        Waiting w = waiting.remove(result.id());
        if (w == null) {
            dropped.incrementAndGet();
            return false;
        }
        timers.cancel(w.timerId());
        if (w.hedgeTimerId() >= 0) {
            timers.cancel(w.hedgeTimerId());
        }
        w.promise().tryComplete(result);
        return true;
    }

    /** Gives up on {@code id} (its caller left); false when it had already ended. A later result is dropped. */
    boolean cancel(String id) {
        return end(id, new Cancelled());
    }

    /**
     * Ends every waiting call with {@link Unavailable} saying {@code why}: the broker is gone, so no result can
     * arrive, and callers are better told now than at their deadline. Results that still arrive later are dropped.
     *
     * @return how many calls were ended
     */
    int failAll(String why) {
        int n = 0;
        for (String id : java.util.List.copyOf(waiting.keySet())) {
            n += end(id, new Unavailable(why)) ? 1 : 0;
        }
        return n;
    }

    /** Calls waiting for their result. */
    int inFlight() {
        return waiting.size();
    }

    /** Results nobody was waiting for. */
    long dropped() {
        return dropped.get();
    }

    /** Calls sent a second time. */
    long hedged() {
        return hedged.get();
    }
}
