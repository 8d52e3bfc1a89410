package org.stargan.inference;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How many records a consumer group has not finished, from the offsets it has <em>committed</em>: per topic, the sum
 * over its partitions of (log end offset − committed offset); a partition without a committed offset counts from its
 * log start, where the group's members begin ({@code auto.offset.reset=earliest}).
 *
 * <p>Kafka's own consumer metric {@code records-lag-max} measures from the fetch position instead, which runs ahead of
 * the commits by everything fetched but not yet answered: it reads 0 while a worker holds a hundred requests. The
 * committed figure is what a restarted group would have to redo and what an autoscaler (KEDA's Kafka scaler) reads.
 *
 * <p>The broker is asked on a thread of its own every {@code period}; {@link #records} returns the latest answer
 * (NaN before the first one and after a failed one: unknown, never a made-up 0).
 */
final class CommittedLag implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(CommittedLag.class);

    private final Admin admin;
    private final String group;
    private final List<String> topics;
    private final long timeoutMillis;
    private final Map<String, Double> latest = new ConcurrentHashMap<>();
    private ScheduledExecutorService probe;
    private boolean failing;

    /**
     * @param adminConfig an admin client's settings ({@code KafkaSettings.admin})
     * @param group the consumer group
     * @param topics the topics it consumes
     * @param timeoutMillis how long one measurement may wait for the broker
     */
    CommittedLag(Map<String, String> adminConfig, String group, List<String> topics, long timeoutMillis) {
        this.admin = Admin.create(new HashMap<>(adminConfig));
        this.group = group;
        this.topics = List.copyOf(topics);
        this.timeoutMillis = timeoutMillis;
        topics.forEach(t -> latest.put(t, Double.NaN));
    }

    /** The topics measured. */
    List<String> topics() {
        return topics;
    }

    /** The latest measurement for {@code topic}: records not yet committed by the group, or NaN when unknown. */
    double records(String topic) {
        return latest.getOrDefault(topic, Double.NaN);
    }

    /** Measures now and then every {@code periodMillis} on a daemon thread. */
    CommittedLag start(long periodMillis) {
        probe = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "lag-probe-" + group);
            t.setDaemon(true);
            return t;
        });
        probe.scheduleWithFixedDelay(this::refresh, 0, periodMillis, TimeUnit.MILLISECONDS);
        return this;
    }

    private void refresh() {
        try {
            latest.putAll(measure());
            failing = false;
        } catch (ExecutionException | TimeoutException | RuntimeException e) {
            topics.forEach(t -> latest.put(t, Double.NaN));
            if (!failing) { // once per outage, not every period
                LOG.warn("consumer lag of group {} unknown: {}", group, e.toString());
                failing = true;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Asks the broker (blocking, at most a few times the timeout): records behind the commits, per topic. */
    Map<String, Double> measure() throws ExecutionException, InterruptedException, TimeoutException {
        Map<String, TopicDescription> described = new HashMap<>();
        for (var e : admin.describeTopics(topics).topicNameValues().entrySet()) {
            try {
                described.put(e.getKey(), e.getValue().get(timeoutMillis, TimeUnit.MILLISECONDS));
            } catch (ExecutionException missing) {
                if (!(missing.getCause() instanceof UnknownTopicOrPartitionException)) {
                    throw missing;
                }
                // Not created yet: nothing was ever queued there.
            }
        }
        Map<TopicPartition, OffsetSpec> ends = new HashMap<>();
        Map<TopicPartition, OffsetSpec> starts = new HashMap<>();
        described
                .values()
                .forEach(d -> d.partitions().forEach(p -> {
                    TopicPartition tp = new TopicPartition(d.name(), p.partition());
                    ends.put(tp, OffsetSpec.latest());
                    starts.put(tp, OffsetSpec.earliest());
                }));
        Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(group)
                .partitionsToOffsetAndMetadata()
                .get(timeoutMillis, TimeUnit.MILLISECONDS);
        Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> end =
                ends.isEmpty() ? Map.of() : admin.listOffsets(ends).all().get(timeoutMillis, TimeUnit.MILLISECONDS);
        Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> start =
                starts.isEmpty() ? Map.of() : admin.listOffsets(starts).all().get(timeoutMillis, TimeUnit.MILLISECONDS);
        Map<String, Double> lag = new HashMap<>();
        topics.forEach(t -> lag.put(t, 0.0));
        end.forEach((tp, info) -> {
            OffsetAndMetadata c = committed.get(tp);
            long from = c != null ? c.offset() : start.get(tp).offset();
            lag.merge(tp.topic(), (double) Math.max(0, info.offset() - from), Double::sum);
        });
        return lag;
    }

    /** Stops measuring; returns at once (the admin client closes on the probe's thread). */
    @Override
    public void close() {
        if (probe == null) {
            admin.close(java.time.Duration.ZERO);
            return;
        }
        // After any measurement under way; shutdown() cancels the periodic task but runs this one.
        probe.execute(() -> admin.close(java.time.Duration.ofSeconds(2)));
        probe.shutdown();
    }
}
