package org.stargan.inference;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.kafka.client.consumer.KafkaConsumerRecord;
import io.vertx.kafka.client.producer.KafkaProducer;
import io.vertx.kafka.client.producer.KafkaProducerRecord;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.stargan.kafka.Topics;
import org.stargan.msg.DeadLetter;
import org.stargan.msg.Protocol;
import org.stargan.msg.TranslateRequest;
import org.stargan.msg.TranslateResult;

/**
 * Publishes what an inference worker answers: a result to the asker's reply topic, and a record that cannot be
 * processed to dead letters (with an error result to its asker when it named one). The returned futures succeed once
 * the broker has everything, which is when the request may be committed; a failure is logged and counted, and the
 * request, left uncommitted, is redelivered and answered again.
 */
final class ResultPublisher {
    private static final Logger LOG = LoggerFactory.getLogger(ResultPublisher.class);

    private final KafkaProducer<String, Buffer> producer;
    private final Topics topics;
    private final String workerId;
    private final InferenceMetrics metrics;

    ResultPublisher(KafkaProducer<String, Buffer> producer, Topics topics, String workerId, InferenceMetrics metrics) {
        this.producer = producer;
        this.topics = topics;
        this.workerId = workerId;
        this.metrics = metrics;
    }

    /** Publishes {@code result} of {@code r} to its reply topic. */
    Future<?> result(TranslateRequest r, TranslateResult result) {
        return producer.send(reply(r.replyTo(), r.replyPartition(), result)).onFailure(e -> {
            LOG.warn("result of {} not published ({}); it will be redelivered", r.id(), e.toString());
            metrics.failure("publish");
        });
    }

    /** Sends {@code rec} to dead letters with {@code reason}, and an error result to its asker when it names one. */
    Future<?> reject(
            KafkaConsumerRecord<String, Buffer> rec,
            Map<String, String> headers,
            TranslateResult.ErrorKind kind,
            String reason) {
        metrics.failure("rejected");
        DeadLetter dead = DeadLetter.of(
                rec.key(),
                rec.value() == null ? new byte[0] : rec.value().getBytes(),
                headers,
                reason,
                rec.topic(),
                rec.partition(),
                rec.offset());
        Future<?> answered = Future.succeededFuture();
        String replyTo = headers.get(Protocol.REPLY_TO);
        if (replyTo != null
                && replyTo.matches("[A-Za-z0-9._-]{1,249}")
                && rec.key() != null
                && rec.key().matches("[A-Za-z0-9._:-]{1,128}")) {
            int partition = -1;
            try {
                partition = Integer.parseInt(
                        headers.getOrDefault(Protocol.REPLY_PARTITION, "-1").trim());
            } catch (NumberFormatException ignored) {
                // reply through the key's partition
            }
            answered =
                    producer.send(reply(replyTo, partition, TranslateResult.error(rec.key(), kind, reason, workerId)));
        }
        return Future.all(
                        producer.send(KafkaRecords.create(
                                topics.deadLetters(), dead.key(), dead.value(), dead.headers(), -1)),
                        answered)
                .onFailure(e -> LOG.warn(
                        "dead letter for {}@{} not published ({}); it will be redelivered",
                        rec.partition(),
                        rec.offset(),
                        e.toString()));
    }

    private static KafkaProducerRecord<String, Buffer> reply(String topic, int partition, TranslateResult result) {
        return KafkaRecords.create(topic, result.id(), result.image(), result.headers(), partition);
    }
}
