package org.stargan.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

@ExtendWith(KafkaBroker.class)
class LocalKafkaTest {

    @Test
    void aRecordRoundTripsThroughTheRealBroker(KafkaBroker.Cluster kafka) throws Exception {
        Map<String, Object> common = Map.of("bootstrap.servers", kafka.bootstrapServers());
        try (KafkaProducer<String, String> producer =
                new KafkaProducer<>(common, new StringSerializer(), new StringSerializer())) {
            producer.send(new ProducerRecord<>("smoke", "k", "hello")).get();
        }
        Map<String, Object> consumerConfig = new java.util.HashMap<>(common);
        consumerConfig.put("group.id", "smoke-test");
        consumerConfig.put("auto.offset.reset", "earliest");
        try (KafkaConsumer<String, String> consumer =
                new KafkaConsumer<>(consumerConfig, new StringDeserializer(), new StringDeserializer())) {
            consumer.subscribe(List.of("smoke"));
            ConsumerRecord<String, String> got = null;
            long deadline = System.nanoTime() + 30_000_000_000L;
            while (got == null && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
                    got = r;
                }
            }
            assertThat(got).isNotNull();
            assertThat(got.key()).isEqualTo("k");
            assertThat(got.value()).isEqualTo("hello");
        }
    }

    @Test
    void aBusyPortIsReportedClearly(@TempDir Path dir) throws Exception {
        try (ServerSocket busy = new ServerSocket()) {
            busy.bind(new InetSocketAddress("127.0.0.1", 0));
            assertThatThrownBy(() -> LocalKafka.start(
                            Path.of(System.getProperty("stargan.kafka.broker.home")),
                            busy.getLocalPort(),
                            dir.resolve("data"),
                            30))
                    .hasMessageContaining("port " + busy.getLocalPort() + " is already in use");
        }
    }
}
