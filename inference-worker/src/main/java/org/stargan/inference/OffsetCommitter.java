package org.stargan.inference;

import io.vertx.core.Future;
import io.vertx.kafka.client.common.TopicPartition;
import io.vertx.kafka.client.consumer.OffsetAndMetadata;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Commits finished offsets with at most one commit on its way: what finishes meanwhile goes out with the next one, so
 * under load one commit carries many records. A commit per record had the consumer's one thread, which also polls,
 * spend most of its time in synchronous commits: at 160 requests/s on a small model the requests waited ~180 ms in
 * Kafka for the next poll. Used on the verticle's context only (its callbacks run there too).
 */
final class OffsetCommitter {
    private static final Logger LOG = LoggerFactory.getLogger(OffsetCommitter.class);

    private final Function<Map<TopicPartition, OffsetAndMetadata>, Future<Void>> commit;
    private final Map<TopicPartition, OffsetAndMetadata> waiting = new HashMap<>();
    private boolean onItsWay;

    /** @param commit the consumer's commit of these offsets (the next offset to read, per partition) */
    OffsetCommitter(Function<Map<TopicPartition, OffsetAndMetadata>, Future<Void>> commit) {
        this.commit = commit;
    }

    /** Commits {@code next} (the next offset to read) for a partition as soon as no other commit is on its way. */
    void commit(String topic, int partition, long next) {
        waiting.put(new TopicPartition(topic, partition), new OffsetAndMetadata(next, ""));
        send();
    }

    /** Drops what waits for a partition that is no longer this worker's: its new owner reads from the last commit. */
    void forget(String topic, int partition) {
        waiting.remove(new TopicPartition(topic, partition));
    }

    /** Commits what waits now, whether or not another commit is on its way (at stop, before the consumer closes). */
    Future<Void> flush() {
        return waiting.isEmpty() ? Future.succeededFuture() : commitWaiting();
    }

    /** Offsets waiting for the commit on its way (for tests). */
    int waiting() {
        return waiting.size();
    }

    private void send() {
        if (onItsWay || waiting.isEmpty()) {
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
        Map<TopicPartition, OffsetAndMetadata> batch = new HashMap<>(waiting);
        waiting.clear();
        return commit.apply(batch).onFailure(e -> LOG.warn("commit of {} failed: {}", batch, e.toString()));
    }
}
