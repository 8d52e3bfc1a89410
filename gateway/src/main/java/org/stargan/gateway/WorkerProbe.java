package org.stargan.gateway;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.kafka.admin.ConsumerGroupListing;
import io.vertx.kafka.admin.KafkaAdminClient;
import io.vertx.kafka.admin.MemberDescription;
import io.vertx.kafka.client.common.TopicPartition;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.stargan.kafka.KafkaSettings;

/**
 * Answers "is any inference worker listening, and which partition does each serve?" for readiness and hedging: a worker
 * is a consumer-group member that holds a partition of the translate-requests topic, whatever its group is called.
 * Asking the broker also proves it is reachable. Answers are reused for two seconds so probes cannot load the broker.
 */
final class WorkerProbe {
    private static final long REUSE_MILLIS = 2_000;

    /**
     * What the broker says about the request topic.
     *
     * @param workers consumers holding at least one of its partitions
     * @param partitions its partition count
     * @param owners partition → the consumer holding it (partitions nobody holds are absent)
     */
    record View(int workers, int partitions, Map<Integer, String> owners) {}

    private final KafkaAdminClient admin;
    private final String requestTopic;
    private Future<View> last;
    private long lastAt;

    WorkerProbe(Vertx vertx, String bootstrapServers, String requestTopic, String clientId) {
        // Bounded waits: a readiness probe must answer, broker or not.
        this.admin = KafkaAdminClient.create(
                vertx, KafkaSettings.named(KafkaSettings.admin(bootstrapServers, 4000), clientId));
        this.requestTopic = requestTopic;
    }

    /** How many consumers hold partitions of the request topic; fails when the broker cannot be asked. */
    Future<Integer> workers() {
        return view().map(View::workers);
    }

    /** The request topic's partitions and their holders; fails when the broker cannot be asked. */
    Future<View> view() {
        long now = System.currentTimeMillis();
        if (last == null || (last.isComplete() && now - lastAt > REUSE_MILLIS)) {
            lastAt = now;
            Future<Integer> partitions = admin.describeTopics(List.of(requestTopic))
                    .map(d -> d.get(requestTopic).getPartitions().size())
                    // Not created yet (nobody has sent or subscribed): no partitions, no workers.
                    .recover(e -> e instanceof UnknownTopicOrPartitionException
                                    || e.getCause() instanceof UnknownTopicOrPartitionException
                            ? Future.succeededFuture(0)
                            : Future.failedFuture(e));
            Future<Map<Integer, String>> owners = admin.listConsumerGroups()
                    .compose(groups -> admin.describeConsumerGroups(groups.stream()
                            .map(ConsumerGroupListing::getGroupId)
                            .toList()))
                    .map(descriptions -> {
                        Map<Integer, String> o = new HashMap<>();
                        descriptions.values().stream()
                                .flatMap(d -> d.getMembers().stream())
                                .forEach(m -> held(m).forEach(p -> o.put(p, m.getConsumerId())));
                        return o;
                    });
            last = Future.all(partitions, owners)
                    .map(v -> new View(
                            (int) owners.result().values().stream().distinct().count(),
                            partitions.result(),
                            Map.copyOf(owners.result())));
        }
        return last;
    }

    /** The addresses ({@code host:port}) of the cluster's brokers, as the cluster advertises them. */
    Future<List<String>> brokers() {
        return admin.describeCluster()
                .map(c -> c.getNodes().stream()
                        .map(n -> n.getHost() + ":" + n.getPort())
                        .toList());
    }

    private List<Integer> held(MemberDescription m) {
        return m.getAssignment() == null
                ? List.of()
                : m.getAssignment().getTopicPartitions().stream()
                        .filter(tp -> tp.getTopic().equals(requestTopic))
                        .map(TopicPartition::getPartition)
                        .toList();
    }

    Future<Void> close() {
        return admin.close();
    }
}
