package org.stargan.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.stargan.gateway.GatewayConfig;
import org.stargan.kafka.KafkaBroker;
import org.stargan.kafka.KafkaSettings;
import org.stargan.msg.Protocol;
import org.stargan.msg.TranslateRequest;

/**
 * One size limit end to end: the gateway's body limit, the producers' request size, the brokers' largest record (local,
 * compose, Kubernetes) and docs/protocol.md agree, and the local broker takes a request of the full size.
 */
@ExtendWith(KafkaBroker.class)
class SizeLimitTest {
    private static final Path HOME = Path.of("..");

    @Test
    void everyPlaceStatesTheSameLimit() throws Exception {
        assertThat(Protocol.MAX_VALUE_BYTES).isEqualTo(10 << 20);
        assertThat(GatewayConfig.fromJson(new io.vertx.core.json.JsonObject().put("bootstrapServers", "k:9092"))
                        .maxBodyBytes())
                .as("the gateway's default body limit")
                .isEqualTo(Protocol.MAX_VALUE_BYTES);
        assertThat(KafkaSettings.requestProducer("k:9092", Protocol.MAX_VALUE_BYTES, 30_000)
                        .get("max.request.size"))
                .isEqualTo(Integer.toString(KafkaSettings.MAX_RECORD_BYTES));
        // Compose runs the project's own broker (its image from deploy/kafka-broker's distribution), whose limit the
        // next test checks on the running broker.
        ObjectMapper yaml = new ObjectMapper(new YAMLFactory());
        JsonNode compose = yaml.readTree(HOME.resolve("deploy/compose.yaml").toFile());
        assertThat(compose.at("/services/kafka/image").asText()).startsWith("stargan/kafka-broker:");
        String strimzi = Files.readString(HOME.resolve("deploy/k8s/kafka.yaml"));
        assertThat(strimzi).contains("message.max.bytes: " + KafkaSettings.MAX_RECORD_BYTES);
        assertThat(Files.readString(HOME.resolve("docs/protocol.md")))
                .contains("At most 10 MiB (" + Protocol.MAX_VALUE_BYTES + " bytes)")
                .contains("`message.max.bytes` ≥ " + KafkaSettings.MAX_RECORD_BYTES);
    }

    /** The local broker's limit is the protocol's: a full-size request is taken, a record over the limit refused. */
    @Test
    void theLocalBrokerTakesARequestOfTheFullSizeAndNoMore(KafkaBroker.Cluster kafka) throws Exception {
        String topic = "size" + System.nanoTime() % 100000 + ".translate.requests";
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", kafka.bootstrapServers()))) {
            admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
        }
        byte[] value = new byte[Protocol.MAX_VALUE_BYTES];
        TranslateRequest r =
                new TranslateRequest("full-size", value, "replies", -1, null, "Male=1", "default", null, Protocol.PNG);
        Map<String, Object> settings =
                new java.util.HashMap<>(KafkaSettings.requestProducer(kafka.bootstrapServers(), value.length, 30_000));
        try (KafkaProducer<String, byte[]> p =
                new KafkaProducer<>(settings, new StringSerializer(), new ByteArraySerializer())) {
            ProducerRecord<String, byte[]> rec = new ProducerRecord<>(topic, r.id(), r.image());
            r.headers().forEach((k, v) -> rec.headers().add(k, v.getBytes(StandardCharsets.UTF_8)));
            assertThat(p.send(rec).get(60, TimeUnit.SECONDS).serializedValueSize())
                    .isEqualTo(Protocol.MAX_VALUE_BYTES);
        }
        // A client allowed to send more: the broker itself refuses.
        settings.put("max.request.size", Integer.toString(2 * KafkaSettings.MAX_RECORD_BYTES));
        try (KafkaProducer<String, byte[]> p =
                new KafkaProducer<>(settings, new StringSerializer(), new ByteArraySerializer())) {
            ProducerRecord<String, byte[]> over =
                    new ProducerRecord<>(topic, "over", new byte[KafkaSettings.MAX_RECORD_BYTES]);
            assertThatThrownBy(() -> p.send(over).get(60, TimeUnit.SECONDS))
                    .hasCauseInstanceOf(org.apache.kafka.common.errors.RecordTooLargeException.class);
        }
    }
}
