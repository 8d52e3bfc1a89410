package org.stargan.inference;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.stargan.kafka.KafkaBroker;
import org.stargan.kafka.KafkaSettings;

/** The lag the Serving dashboard shows counts what the group has not committed, not what it has not fetched. */
@ExtendWith(KafkaBroker.class)
class CommittedLagTest {
    @Test
    void aMemberThatFetchedEverythingButCommittedThreeLeavesSevenBehind(KafkaBroker.Cluster kafka) throws Exception {
        String id = UUID.randomUUID().toString().substring(0, 8);
        String topic = "lag" + id + ".requests";
        String missing = "lag" + id + ".never-created";
        String group = "lag" + id + "-workers";
        String bootstrap = kafka.bootstrapServers();
        try (KafkaProducer<String, String> p = new KafkaProducer<>(
                Map.of("bootstrap.servers", bootstrap), new StringSerializer(), new StringSerializer())) {
            for (int i = 0; i < 10; i++) {
                p.send(new ProducerRecord<>(topic, "k" + i, "v" + i)).get();
            }
        }
        try (CommittedLag lag =
                new CommittedLag(KafkaSettings.admin(bootstrap, 10_000), group, List.of(topic, missing), 10_000)) {
            // Nothing committed yet: the group starts at the log start, so all ten wait; a topic that does not exist
            // has nothing waiting.
            assertThat(lag.measure()).containsEntry(topic, 10.0).containsEntry(missing, 0.0);

            // Commits by hand only, as the workers do (auto-commit would commit everything read when it closes).
            Map<String, Object> c = Map.of(
                    "bootstrap.servers",
                    bootstrap,
                    "group.id",
                    group,
                    "auto.offset.reset",
                    "earliest",
                    "enable.auto.commit",
                    "false");
            try (KafkaConsumer<String, String> member =
                    new KafkaConsumer<>(c, new StringDeserializer(), new StringDeserializer())) {
                TopicPartition tp = new TopicPartition(topic, 0);
                member.assign(List.of(tp));
                List<ConsumerRecord<String, String>> read = new ArrayList<>();
                long deadline = System.nanoTime() + 30_000_000_000L;
                while (read.size() < 10 && System.nanoTime() < deadline) {
                    member.poll(Duration.ofMillis(200)).forEach(read::add);
                }
                assertThat(read).hasSize(10);
                member.commitSync(Map.of(tp, new OffsetAndMetadata(3)));
                // Kafka's own fetch lag, what the panel used to show, says nothing is waiting.
                double fetchLag = member.metrics().entrySet().stream()
                        .filter(m -> m.getKey().name().equals("records-lag-max"))
                        .mapToDouble(m -> ((Number) m.getValue().metricValue()).doubleValue())
                        .max()
                        .orElseThrow();
                assertThat(fetchLag).isEqualTo(0.0);
            }
            assertThat(lag.measure()).containsEntry(topic, 7.0);

            // The periodic probe the worker runs reports the same figure.
            assertThat(lag.records(topic)).isNaN();
            lag.start(100);
            long until = System.nanoTime() + 30_000_000_000L;
            while (Double.isNaN(lag.records(topic)) && System.nanoTime() < until) {
                Thread.sleep(50);
            }
            assertThat(lag.records(topic)).isEqualTo(7.0);
            assertThat(lag.records(missing)).isEqualTo(0.0);
        }
    }
}
