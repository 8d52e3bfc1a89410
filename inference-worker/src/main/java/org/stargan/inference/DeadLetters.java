package org.stargan.inference;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.kafka.client.consumer.KafkaConsumerRecord;
import io.vertx.kafka.client.producer.KafkaProducer;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.stargan.msg.DeadLetter;
import org.stargan.msg.Protocol;
import org.stargan.msg.TranslateRequest;
import org.stargan.msg.TranslateResult;

/**
 * Where requests go that cannot be processed or answered: a copy with the reason on the dead-letter topic, and an error
 * result to the asker when its reply target is usable (checked first: a send to a missing partition would block the
 * producer). The returned future completes once the dead letter is durable, after which the request's offset may be
 * committed; a dead letter that fails to publish (the broker away) is tried again with growing pauses for as long as
 * this worker still owns the record, so one failed send never stops a partition's commits for good. Event loop only.
 */
final class DeadLetters {
    private static final Logger LOG = LoggerFactory.getLogger(DeadLetters.class);
    private static final long FIRST_RETRY_MILLIS = 500;
    private static final long LONGEST_RETRY_MILLIS = 10_000;

    private final Vertx vertx;
    private final KafkaProducer<String, Buffer> producer;
    private final String topic;
    private final ReplyTargets targets;
    private final String workerId;
    private final OffsetTracker owned;

    /**
     * @param topic the dead-letter topic
     * @param owned the records this worker still has to finish (a revoked partition's are forgotten there)
     */
    DeadLetters(
            Vertx vertx,
            KafkaProducer<String, Buffer> producer,
            String topic,
            ReplyTargets targets,
            String workerId,
            OffsetTracker owned) {
        this.vertx = vertx;
        this.producer = producer;
        this.topic = topic;
        this.targets = targets;
        this.workerId = workerId;
        this.owned = owned;
    }

    /**
     * Dead-letters a request that cannot be processed, and answers its asker with an error result of {@code kind}
     * when the request names a usable reply topic and key.
     */
    Future<Void> reject(
            KafkaConsumerRecord<String, Buffer> rec,
            Map<String, String> headers,
            TranslateResult.ErrorKind kind,
            String reason) {
        Future<Void> dead = publish(rec, headers, reason);
        String replyTo = headers.get(Protocol.REPLY_TO);
        if (replyTo == null
                || !replyTo.matches("[A-Za-z0-9._-]{1,249}")
                || rec.key() == null
                || !rec.key().matches("[A-Za-z0-9._:-]{1,128}")) {
            return dead;
        }
        int partition;
        try {
            partition = Integer.parseInt(
                    headers.getOrDefault(Protocol.REPLY_PARTITION, "-1").trim());
        } catch (NumberFormatException e) {
            partition = -1; // reply through the key's partition
        }
        int replyPartition = partition;
        Future<Void> answered = targets.problem(replyTo, replyPartition).compose(problem -> {
            if (problem != null) {
                return Future.succeededFuture(); // nowhere to answer: the dead letter says why
            }
            TranslateResult error = TranslateResult.error(rec.key(), kind, reason, workerId);
            return producer.send(
                            KafkaRecords.create(replyTo, error.id(), error.image(), error.headers(), replyPartition))
                    .<Void>mapEmpty()
                    // Best effort: the dead letter is the durable record of the failure.
                    .recover(e -> {
                        LOG.warn("error result for {} not published: {}", rec.key(), e.toString());
                        return Future.succeededFuture();
                    });
        });
        return Future.all(dead, answered).mapEmpty();
    }

    /**
     * Dead-letters {@code request}, whose result could not be delivered ({@code error} says why); the asker is not
     * answered, since its reply target is what failed.
     */
    Future<Void> undeliverable(KafkaConsumerRecord<String, Buffer> rec, TranslateRequest request, Throwable error) {
        String target = request.replyTo() + (request.replyPartition() >= 0 ? "-" + request.replyPartition() : "");
        LOG.warn("result of {} not published to {} ({}); dead-lettering it", request.id(), target, error.toString());
        return publish(rec, KafkaRecords.headers(rec), "result not delivered to " + target + ": " + error.getMessage());
    }

    private Future<Void> publish(KafkaConsumerRecord<String, Buffer> rec, Map<String, String> headers, String reason) {
        DeadLetter dead = DeadLetter.of(
                rec.key(),
                rec.value() == null ? new byte[0] : rec.value().getBytes(),
                headers,
                reason,
                rec.topic(),
                rec.partition(),
                rec.offset());
        Promise<Void> done = Promise.promise();
        attempt(rec, dead, FIRST_RETRY_MILLIS, done);
        return done.future();
    }

    private void attempt(KafkaConsumerRecord<String, Buffer> rec, DeadLetter dead, long pause, Promise<Void> done) {
        producer.send(KafkaRecords.create(topic, dead.key(), dead.value(), dead.headers(), -1))
                .onSuccess(md -> done.tryComplete())
                .onFailure(e -> {
                    if (!owned.tracks(rec.topic(), rec.partition(), rec.offset())) {
                        done.tryFail(e); // revoked: the new owner processes the record again
                        return;
                    }
                    LOG.warn(
                            "dead letter for {}-{}@{} not published ({}); trying again in {} ms",
                            rec.topic(),
                            rec.partition(),
                            rec.offset(),
                            e.toString(),
                            pause);
                    vertx.setTimer(pause, t -> attempt(rec, dead, Math.min(2 * pause, LONGEST_RETRY_MILLIS), done));
                });
    }
}
