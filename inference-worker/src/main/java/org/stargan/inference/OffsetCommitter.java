package org.stargan.inference;

import io.vertx.core.Future;
import io.vertx.kafka.client.common.TopicPartition;
import io.vertx.kafka.client.consumer.OffsetAndMetadata;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Function;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Commits finished offsets with at most one commit on its way and at most one commit started per
 * {@link #MIN_INTERVAL_MILLIS}: what finishes meanwhile goes out with the next one, so under load one commit carries
 * many records. A commit per record had the consumer's one thread, which also polls, spend most of its time in
 * synchronous commits: at 160 requests/s on a small model the requests waited ~180 ms in Kafka for the next poll. Used
 * on the verticle's context only (its callbacks and timers run there too).
 */
final class OffsetCommitter {
    /**
     * The least time between the starts of two commits. Each commit is a round trip, a write to the broker's offsets
     * log and work for its group coordinator; back to back they were about a sixth of the broker's CPU and a quarter of
     * the worker's consumer thread at 50 requests/s (profiled). The price: a worker that dies, or loses a partition,
     * leaves up to this much finished work uncommitted, which its successor does again (its answers are ignored, the
     * gateway has answered already). The first commit after a quiet spell goes at once.
     */
    static final long MIN_INTERVAL_MILLIS = 100;

    private static final Logger LOG = LoggerFactory.getLogger(OffsetCommitter.class);

    /** One-shot timers on the caller's context. */
    interface Timers {
        long set(long delayMillis, Runnable task);

        void cancel(long id);
    }

    private final Function<Map<TopicPartition, OffsetAndMetadata>, Future<Void>> commit;
    private final LongSupplier nowMillis;
    private final Timers timers;
    private final Map<TopicPartition, OffsetAndMetadata> waiting = new HashMap<>();
    private boolean onItsWay;
    private long lastStartMillis = Long.MIN_VALUE / 2;
    private long timer = -1;

    /**
     * @param commit the consumer's commit of these offsets (the next offset to read, per partition)
     * @param nowMillis a monotonic clock in milliseconds
     * @param timers where to wait for the interval to pass
     */
    OffsetCommitter(
            Function<Map<TopicPartition, OffsetAndMetadata>, Future<Void>> commit,
            LongSupplier nowMillis,
            Timers timers) {
        this.commit = commit;
        this.nowMillis = nowMillis;
        this.timers = timers;
    }

    /** Commits {@code next} (the next offset to read) for a partition as soon as the pacing allows. */
    void commit(String topic, int partition, long next) {
        waiting.put(new TopicPartition(topic, partition), new OffsetAndMetadata(next, ""));
        send();
    }

    /** Drops what waits for a partition that is no longer this worker's: its new owner reads from the last commit. */
    void forget(String topic, int partition) {
        waiting.remove(new TopicPartition(topic, partition));
    }

    /** Commits what waits now, whatever the pacing and whether or not another commit is on its way (at stop). */
    Future<Void> flush() {
        if (timer >= 0) {
            timers.cancel(timer);
            timer = -1;
        }
        return waiting.isEmpty() ? Future.succeededFuture() : commitWaiting();
    }

    /** Offsets waiting for the next commit (for tests). */
    int waiting() {
        return waiting.size();
    }

    private void send() {
        if (onItsWay || timer >= 0 || waiting.isEmpty()) {
            return;
        }
        long wait = lastStartMillis + MIN_INTERVAL_MILLIS - nowMillis.getAsLong();
        if (wait > 0) {
            timer = timers.set(wait, () -> {
                timer = -1;
                send();
            });
            return;
        }
        onItsWay = true;
        commitWaiting().onComplete(ar -> {
            onItsWay = false;
            send();
        });
    }

    /** One commit of everything waiting; a failure is logged (the next commit carries newer offsets anyway). */
    private Future<Void> commitWaiting() {
        lastStartMillis = nowMillis.getAsLong();
        Map<TopicPartition, OffsetAndMetadata> batch = new HashMap<>(waiting);
        waiting.clear();
        return commit.apply(batch).onFailure(e -> LOG.warn("commit of {} failed: {}", batch, e.toString()));
    }
}
