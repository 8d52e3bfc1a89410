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
 * correlation with the result by request id, and its release. A result for an id nobody waits for any more (a
 * duplicate from a redelivery, one after its deadline, one for a cancelled call) is dropped and counted. Every call
 * ends exactly once: with its result, {@link Timeout}, {@link Unavailable} (it could not be queued) or
 * {@link Cancelled}. Used from the gateway's event loop; the counters may be read from anywhere.
 */
final class ReplyClient {
    /** Publishes a request; the future fails when it could not be queued. */
    interface Transport {
        Future<Void> send(TranslateRequest request);
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
    }

    /** The caller gave up (its client went away). */
    static final class Cancelled extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Cancelled() {
            super("cancelled", null, false, false);
        }
    }

    private record Waiting(Promise<TranslateResult> promise, long timerId) {}

    private final Transport transport;
    private final Timers timers;
    private final String idPrefix;
    private final AtomicLong counter = new AtomicLong();
    private final Map<String, Waiting> waiting = new ConcurrentHashMap<>();
    private final AtomicLong dropped = new AtomicLong();

    /** @param idPrefix makes this client's request ids unique among all requesters (the gateway instance's id) */
    ReplyClient(Transport transport, Timers timers, String idPrefix) {
        this.transport = transport;
        this.timers = timers;
        this.idPrefix = idPrefix;
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
        long timer = timers.schedule(timeoutMillis, () -> {
            Waiting w = waiting.remove(id);
            if (w != null) {
                w.promise().tryFail(new Timeout(timeoutMillis));
            }
        });
        waiting.put(id, new Waiting(promise, timer));
        transport.send(request).onFailure(e -> {
            Waiting w = waiting.remove(id);
            if (w != null) {
                timers.cancel(w.timerId());
                w.promise().tryFail(new Unavailable(e));
            }
        });
        return promise.future();
    }

    /** Hands a result to its caller; false (and counted as dropped) when nobody waits for it. */
    boolean deliver(TranslateResult result) {
        Waiting w = waiting.remove(result.id());
        if (w == null) {
            dropped.incrementAndGet();
            return false;
        }
        timers.cancel(w.timerId());
        w.promise().tryComplete(result);
        return true;
    }

    /** Gives up on {@code id} (its caller left); false when it had already ended. A later result is dropped. */
    boolean cancel(String id) {
        Waiting w = waiting.remove(id);
        if (w == null) {
            return false;
        }
        timers.cancel(w.timerId());
        w.promise().tryFail(new Cancelled());
        return true;
    }

    /** Calls waiting for their result. */
    int inFlight() {
        return waiting.size();
    }

    /** Results nobody was waiting for. */
    long dropped() {
        return dropped.get();
    }
}
