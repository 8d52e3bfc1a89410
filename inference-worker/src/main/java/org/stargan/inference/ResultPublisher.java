package org.stargan.inference;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.kafka.client.consumer.KafkaConsumerRecord;
import io.vertx.kafka.client.producer.KafkaProducer;
import java.util.Map;
import org.stargan.msg.TranslateRequest;
import org.stargan.msg.TranslateResult;

/**
 * Publishes what an inference worker answers: a result to the asker's reply target, and a record that cannot be
 * processed to dead letters (with an error result to its asker when its reply target is usable, see
 * {@link DeadLetters}). The returned futures succeed once the broker has what settles the request, which is when it may
 * be committed: the result, or, for a result that could not be delivered within the producer's bounded delivery time,
 * its dead letter (sending the same result again would fail the same way and hold up every later commit).
 */
final class ResultPublisher {
    private final KafkaProducer<String, Buffer> producer;
    private final DeadLetters deadLetters;
    private final InferenceMetrics metrics;

    ResultPublisher(KafkaProducer<String, Buffer> producer, DeadLetters deadLetters, InferenceMetrics metrics) {
        this.producer = producer;
        this.deadLetters = deadLetters;
        this.metrics = metrics;
    }

    /** Publishes {@code result} of {@code r} (read from {@code source}) to its reply target. */
    Future<Void> result(KafkaConsumerRecord<String, Buffer> source, TranslateRequest r, TranslateResult result) {
        return producer.send(KafkaRecords.create(
                        r.replyTo(), result.id(), result.image(), result.headers(), r.replyPartition()))
                .<Void>mapEmpty()
                .recover(e -> {
                    metrics.failure("publish");
                    return deadLetters.undeliverable(source, r, e);
                });
    }

    /** Sends {@code rec} to dead letters with {@code reason}, and an error result to its asker when it is reachable. */
    Future<Void> reject(
            KafkaConsumerRecord<String, Buffer> rec,
            Map<String, String> headers,
            TranslateResult.ErrorKind kind,
            String reason) {
        metrics.failure("rejected");
        // Fails only once the partition was revoked: the new owner then handles the record again.
        return deadLetters.reject(rec, headers, kind, reason);
    }
}
