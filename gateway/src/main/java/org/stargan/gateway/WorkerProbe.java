package org.stargan.gateway;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.kafka.admin.ConsumerGroupListing;
import io.vertx.kafka.admin.KafkaAdminClient;
import io.vertx.kafka.admin.MemberDescription;
import org.stargan.kafka.KafkaSettings;

/**
 * Answers "is any inference worker listening?" for readiness: a worker is a consumer-group member that holds a
 * partition of the translate-requests topic, whatever its group is called. Asking the broker also proves it is
 * reachable. Answers are reused for two seconds so probes cannot load the broker.
 */
final class WorkerProbe {
    private static final long REUSE_MILLIS = 2_000;
    private final KafkaAdminClient admin;
    private final String requestTopic;
    private Future<Integer> last;
    private long lastAt;

    WorkerProbe(Vertx vertx, String bootstrapServers, String requestTopic) {
        // Bounded waits: a readiness probe must answer, broker or not.
        this.admin = KafkaAdminClient.create(vertx, KafkaSettings.admin(bootstrapServers, 4000));
        this.requestTopic = requestTopic;
    }

    /** How many consumers hold partitions of the request topic; fails when the broker cannot be asked. */
    Future<Integer> workers() {
        long now = System.currentTimeMillis();
        if (last == null || (last.isComplete() && now - lastAt > REUSE_MILLIS)) {
            lastAt = now;
            last = admin.listConsumerGroups()
                    .compose(groups -> admin.describeConsumerGroups(groups.stream()
                            .map(ConsumerGroupListing::getGroupId)
                            .toList()))
                    .map(descriptions -> (int) descriptions.values().stream()
                            .flatMap(d -> d.getMembers().stream())
                            .filter(this::holdsRequests)
                            .count());
        }
        return last;
    }

    private boolean holdsRequests(MemberDescription m) {
        return m.getAssignment() != null
                && m.getAssignment().getTopicPartitions().stream()
                        .anyMatch(tp -> tp.getTopic().equals(requestTopic));
    }

    Future<Void> close() {
        return admin.close();
    }
}
