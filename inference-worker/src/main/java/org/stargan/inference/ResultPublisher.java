package org.stargan.inference;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.kafka.client.consumer.KafkaConsumerRecord;
import io.vertx.kafka.client.producer.KafkaProducer;
import io.vertx.kafka.client.producer.KafkaProducerRecord;
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
    /** Where a send's outcome is handled, as for the Vert.x producer's own sends. */
    private final Context context;

    private final KafkaProducer<String, Buffer> producer;
    private final DeadLetters deadLetters;
    private final InferenceMetrics metrics;

    ResultPublisher(
            Context context,
            KafkaProducer<String, Buffer> producer,
            DeadLetters deadLetters,
            InferenceMetrics metrics) {
        this.context = context;
        this.producer = producer;
        this.deadLetters = deadLetters;
        this.metrics = metrics;
    }

    /** Publishes {@code result} of {@code r} (read from {@code source}) to its reply target. */
    Future<Void> result(KafkaConsumerRecord<String, Buffer> source, TranslateRequest r, TranslateResult result) {
        return orDeadLetter(producer.send(record(r, result)).mapEmpty(), source, r);
    }

    /**
     * As {@link #result}, called from a thread that may block, as Kafka's {@code send} does while it waits for a
     * topic's metadata or buffer space (at most {@code max.block.ms}): never the event loop. {@code settled} runs on
     * {@code context} once the result (or, when it could not be delivered, its dead letter) is with the broker.
     */
    void resultFromThisThread(
            KafkaConsumerRecord<String, Buffer> source, TranslateRequest r, TranslateResult result, Runnable settled) {
        Promise<Void> acked = Promise.promise();
        // Listening before sending, and completed only on the context: what follows runs there, never on this thread.
        orDeadLetter(acked.future(), source, r).onSuccess(v -> settled.run());
        try {
            producer.unwrap()
                    .send(
                            record(r, result).record(),
                            (metadata, e) -> context.runOnContext(v -> {
                                if (e == null) {
                                    acked.complete();
                                } else {
                                    acked.fail(e);
                                }
                            }));
        } catch (RuntimeException e) {
            // Refused before it was queued (metadata or buffer space not there within max.block.ms, too large).
            context.runOnContext(v -> acked.fail(e));
        }
    }

    private static KafkaProducerRecord<String, Buffer> record(TranslateRequest r, TranslateResult result) {
        return KafkaRecords.create(r.replyTo(), result.id(), result.image(), result.headers(), r.replyPartition());
    }

    /** {@code sent}, or once it fails, the dead letter that settles the request instead. */
    private Future<Void> orDeadLetter(
            Future<Void> sent, KafkaConsumerRecord<String, Buffer> source, TranslateRequest r) {
        return sent.recover(e -> {
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
