package org.stargan.inference;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.kafka.admin.KafkaAdminClient;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;
import org.apache.kafka.common.errors.InvalidTopicException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.stargan.kafka.KafkaSettings;
import org.stargan.msg.Protocol;

/**
 * Whether a request's reply target exists, asked before anything is computed for it. A send to a partition the
 * producer has no metadata for blocks the producer's one sending thread until {@code max.block.ms}, holding back every
 * other result; a request naming such a target is dead-lettered instead, with the reason. Partition counts are cached
 * for {@link #KNOWN_MILLIS} (topics may grow), unknown topics for {@link #UNKNOWN_MILLIS} (a requester may create its
 * reply topic a moment after asking). When the broker cannot be asked, the target is given the benefit of the doubt:
 * the bounded send decides. Event loop only.
 */
final class ReplyTargets {
    /** How long a topic's partition count is trusted. */
    static final long KNOWN_MILLIS = 10_000;
    /** How long "no such topic" is trusted. */
    static final long UNKNOWN_MILLIS = 1_000;

    /** The partition count of a topic; fails with {@link UnknownTopicOrPartitionException} when it does not exist. */
    interface Lookup {
        Future<Integer> partitions(String topic);
    }

    private record Entry(int partitions, long expiresAt) {}

    private final Lookup lookup;
    private final LongSupplier clockMillis;
    private final java.util.function.Supplier<Future<Void>> onClose;
    private final Map<String, Entry> cache = new HashMap<>();
    private final Map<String, Future<Integer>> asking = new HashMap<>();

    ReplyTargets(Lookup lookup, LongSupplier clockMillis) {
        this(lookup, clockMillis, Future::succeededFuture);
    }

    private ReplyTargets(Lookup lookup, LongSupplier clockMillis, java.util.function.Supplier<Future<Void>> onClose) {
        this.lookup = lookup;
        this.clockMillis = clockMillis;
        this.onClose = onClose;
    }

    /**
     * Checks targets with an admin client of its own: unlike a producer's metadata request, the admin's never creates
     * a topic, and its calls fail within two seconds when the broker does not answer.
     */
    static ReplyTargets connect(Vertx vertx, String bootstrapServers, String workerId) {
        KafkaAdminClient admin = KafkaAdminClient.create(
                vertx, KafkaSettings.named(KafkaSettings.admin(bootstrapServers, 2000), workerId + "-admin"));
        return new ReplyTargets(
                topic -> admin.describeTopics(List.of(topic))
                        .map(d -> d.get(topic).getPartitions().size()),
                System::currentTimeMillis,
                admin::close);
    }

    /** Releases the admin client, if any. */
    Future<Void> close() {
        return onClose.get();
    }

    /**
     * What is wrong with replying to {@code partition} (−1: chosen by the key) of {@code topic}, or null when nothing
     * is known to be: the topic exists and has that partition, or the broker could not be asked.
     */
    Future<String> problem(String topic, int partition) {
        Entry e = cache.get(topic);
        if (e != null && e.expiresAt() > clockMillis.getAsLong()) {
            return Future.succeededFuture(problem(topic, partition, e.partitions()));
        }
        Future<Integer> answer = asking.get(topic);
        if (answer == null) {
            answer = ask(topic);
            if (!answer.isComplete()) {
                asking.put(topic, answer);
            }
        }
        return answer.transform(
                ar -> Future.succeededFuture(ar.succeeded() ? problem(topic, partition, ar.result()) : null));
    }

    /** Asks the broker once for all callers waiting on {@code topic}; "no such topic" counts as 0 partitions. */
    private Future<Integer> ask(String topic) {
        return lookup.partitions(topic)
                .recover(e -> absent(e) ? Future.succeededFuture(0) : Future.failedFuture(e))
                .andThen(ar -> {
                    asking.remove(topic);
                    if (ar.succeeded()) {
                        long ttl = ar.result() == 0 ? UNKNOWN_MILLIS : KNOWN_MILLIS;
                        cache.put(topic, new Entry(ar.result(), clockMillis.getAsLong() + ttl));
                    }
                });
    }

    private static boolean absent(Throwable e) {
        Throwable t = e;
        while ((t instanceof java.util.concurrent.CompletionException
                        || t instanceof java.util.concurrent.ExecutionException)
                && t.getCause() != null) {
            t = t.getCause();
        }
        return t instanceof UnknownTopicOrPartitionException || t instanceof InvalidTopicException;
    }

    private static String problem(String topic, int partition, int partitions) {
        if (partitions == 0) {
            return Protocol.REPLY_TO + ": topic '" + topic + "' does not exist, expected an existing topic (create the"
                    + " reply topic, or subscribe to it, before sending requests)";
        }
        if (partition >= partitions) {
            return Protocol.REPLY_PARTITION + ": " + partition + ", but topic '" + topic + "' has " + partitions
                    + (partitions == 1 ? " partition" : " partitions") + ", expected 0.." + (partitions - 1);
        }
        return null;
    }
}
