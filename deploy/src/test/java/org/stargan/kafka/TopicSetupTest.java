package org.stargan.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The topic plan applied to a real broker: created, corrected, idempotent, and safe when services race. */
@ExtendWith(KafkaBroker.class)
class TopicSetupTest {
    private static final Duration WAIT = Duration.ofSeconds(60);

    private static Topics fresh() {
        return new Topics("setup" + System.nanoTime() % 1_000_000 + ".");
    }

    @Test
    void createsEveryTopicWithItsPartitionsAndTheRegistryCompactedThenHasNothingToDo(KafkaBroker.Cluster kafka)
            throws Exception {
        Topics topics = fresh();
        List<TopicSpec> plan = TopicPlan.platform(topics, 12);
        List<String> changes = TopicSetup.ensure(kafka.bootstrapServers(), plan, WAIT);
        assertThat(changes).hasSize(plan.size()).allMatch(c -> c.startsWith("created "));
        try (Admin admin = admin(kafka)) {
            assertThat(partitions(admin, topics))
                    .containsEntry(topics.translateRequests(), 12)
                    .containsEntry(topics.trainRequests(), 12)
                    .containsEntry(topics.trainEvents(), 1)
                    .containsEntry(topics.models(), 1);
            assertThat(cleanupPolicy(admin, topics.models())).isEqualTo("compact");
            assertThat(cleanupPolicy(admin, topics.translateRequests())).isEqualTo("delete");
        }
        assertThat(TopicSetup.ensure(kafka.bootstrapServers(), plan, WAIT)).isEmpty();
    }

    @Test
    void correctsWhatTheBrokerAutoCreatedGrowingOnlyTheWorkQueues(KafkaBroker.Cluster kafka) throws Exception {
        Topics topics = fresh();
        try (Admin admin = admin(kafka)) {
            // What auto-creation leaves: one partition each, the registry not compacted.
            admin.createTopics(List.of(
                            new NewTopic(topics.translateRequests(), Optional.of(1), Optional.empty()),
                            new NewTopic(topics.models(), Optional.of(1), Optional.empty())
                                    .configs(Map.of("cleanup.policy", "delete")),
                            new NewTopic(topics.trainEvents(), Optional.of(3), Optional.empty())))
                    .all()
                    .get(30, TimeUnit.SECONDS);
            List<String> changes = TopicSetup.ensure(kafka.bootstrapServers(), TopicPlan.platform(topics, 16), WAIT);
            assertThat(changes)
                    .contains(
                            topics.translateRequests() + ": 1 → 16 partitions",
                            topics.models() + ": cleanup.policy delete → compact");
            Map<String, Integer> partitions = partitions(admin, topics);
            assertThat(partitions).containsEntry(topics.translateRequests(), 16);
            // More partitions than planned stay: a topic is never shrunk (Kafka cannot) nor recreated.
            assertThat(partitions).containsEntry(topics.trainEvents(), 3);
            assertThat(settledCleanupPolicy(admin, topics.models(), "compact")).isEqualTo("compact");
        }
    }

    @Test
    void servicesStartingTogetherAllSucceed(KafkaBroker.Cluster kafka) throws Exception {
        Topics topics = fresh();
        List<TopicSpec> plan = TopicPlan.platform(topics, 8);
        ExecutorService pool = Executors.newFixedThreadPool(3);
        try {
            List<Future<List<String>>> runs = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                Callable<List<String>> run = () -> TopicSetup.ensure(kafka.bootstrapServers(), plan, WAIT);
                runs.add(pool.submit(run));
            }
            List<String> created = new ArrayList<>();
            for (Future<List<String>> f : runs) {
                created.addAll(f.get(90, TimeUnit.SECONDS));
            }
            // Each topic was created by exactly one of them; the others found it there.
            assertThat(created).hasSize(plan.size()).doesNotHaveDuplicates();
        } finally {
            pool.shutdownNow();
        }
        try (Admin admin = admin(kafka)) {
            assertThat(partitions(admin, topics)).containsEntry(topics.translateRequests(), 8);
        }
    }

    @Test
    void aBrokerThatIsNotThereFailsNamingTheSetting() {
        assertThatThrownBy(() -> TopicSetup.ensure(
                        "127.0.0.1:" + LocalKafka.freePort(), TopicPlan.platform(fresh(), 4), Duration.ofSeconds(3)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("STARGAN_KAFKA_BOOTSTRAP");
    }

    @Test
    void aBadPartitionCountNamesTheVariable() {
        assertThat(TopicPlan.queuePartitions(Map.of())).isEqualTo(TopicPlan.DEFAULT_QUEUE_PARTITIONS);
        assertThat(TopicPlan.queuePartitions(Map.of(TopicPlan.QUEUE_PARTITIONS_VARIABLE, "4")))
                .isEqualTo(4);
        for (String bad : List.of("0", "-2", "many")) {
            assertThatThrownBy(() -> TopicPlan.queuePartitions(Map.of(TopicPlan.QUEUE_PARTITIONS_VARIABLE, bad)))
                    .hasMessageContaining("STARGAN_QUEUE_PARTITIONS: '" + bad + "'");
        }
    }

    private static Admin admin(KafkaBroker.Cluster kafka) {
        return Admin.create(Map.of("bootstrap.servers", kafka.bootstrapServers()));
    }

    private static Map<String, Integer> partitions(Admin admin, Topics topics) throws Exception {
        Set<String> names =
                TopicPlan.platform(topics, 1).stream().map(TopicSpec::name).collect(Collectors.toSet());
        names.retainAll(admin.listTopics().names().get(30, TimeUnit.SECONDS));
        return admin.describeTopics(names).allTopicNames().get(30, TimeUnit.SECONDS).entrySet().stream()
                .collect(Collectors.toMap(
                        Map.Entry::getKey, e -> e.getValue().partitions().size()));
    }

    /**
     * The topic's cleanup policy once it reads {@code expected}, or what it reads after 10 s: an altered config reaches
     * the broker that answers describeConfigs through the metadata log, a moment after the alter call returns.
     */
    private static String settledCleanupPolicy(Admin admin, String topic, String expected) throws Exception {
        long deadline = System.nanoTime() + 10_000_000_000L;
        String policy = cleanupPolicy(admin, topic);
        while (!expected.equals(policy) && System.nanoTime() < deadline) {
            Thread.sleep(100);
            policy = cleanupPolicy(admin, topic);
        }
        return policy;
    }

    private static String cleanupPolicy(Admin admin, String topic) throws Exception {
        ConfigResource r = new ConfigResource(ConfigResource.Type.TOPIC, topic);
        return admin.describeConfigs(List.of(r))
                .all()
                .get(30, TimeUnit.SECONDS)
                .get(r)
                .get("cleanup.policy")
                .value();
    }
}
