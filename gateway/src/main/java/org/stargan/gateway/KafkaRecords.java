package org.stargan.gateway;

import io.vertx.core.buffer.Buffer;
import io.vertx.kafka.client.consumer.KafkaConsumerRecord;
import io.vertx.kafka.client.producer.KafkaHeader;
import io.vertx.kafka.client.producer.KafkaProducerRecord;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/** Between Vert.x Kafka records and the protocol records' text headers (the protocol module knows no Vert.x). */
final class KafkaRecords {
    private KafkaRecords() {}

    /** A record's headers as text; the last value of a repeated header wins. */
    static Map<String, String> headers(KafkaConsumerRecord<String, Buffer> rec) {
        Map<String, String> h = new LinkedHashMap<>();
        for (KafkaHeader k : rec.headers()) {
            h.put(k.key(), k.value().toString(StandardCharsets.UTF_8));
        }
        return h;
    }

    /** A record for {@code topic} ({@code partition} −1: chosen by the key). */
    static KafkaProducerRecord<String, Buffer> create(
            String topic, String key, byte[] value, Map<String, String> headers, int partition) {
        KafkaProducerRecord<String, Buffer> rec =
                KafkaProducerRecord.create(topic, key, Buffer.buffer(value), null, partition >= 0 ? partition : null);
        headers.forEach(rec::addHeader);
        return rec;
    }
}
