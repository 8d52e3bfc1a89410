package org.stargan.deploy.bench;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.stargan.kafka.Topics;
import org.stargan.msg.Protocol;

/**
 * The same translation asked of the inference workers directly over Kafka (docs/protocol.md), without the gateway:
 * the producer settings match the gateway's, so the difference to {@link HttpTransport} is the gateway's hop. Results
 * come back on a reply topic of this client's own, created here and deleted on close.
 */
final class KafkaTransport implements Transport {
    private final String requestTopic;
    private final String replyTopic;
    private final byte[] image;
    /** The same for every request: built once, copied into each record. */
    private final List<Header> requestHeaders;

    private final String idPrefix = "bench-" + UUID.randomUUID().toString().substring(0, 8) + "-";
    private final AtomicLong counter = new AtomicLong();
    private final Map<String, CompletableFuture<Outcome>> pending = new ConcurrentHashMap<>();
    private final Admin admin;
    private final KafkaProducer<String, byte[]> producer;
    private final Thread poller;
    private volatile boolean running = true;
    private final Duration timeout;
    private volatile String lastFailure = "";

    KafkaTransport(String bootstrap, Topics topics, byte[] image, String target, Duration timeout) throws Exception {
        this.requestTopic = topics.translateRequests();
        this.timeout = timeout;
        this.image = image;
        this.replyTopic = topics.replyTopic(idPrefix + "replies");
        this.requestHeaders = List.of(
                new RecordHeader(Protocol.SCHEMA, bytes(Protocol.REQUEST_V1)),
                new RecordHeader(Protocol.REPLY_TO, bytes(replyTopic)),
                new RecordHeader(Protocol.ACCEPT, bytes(Protocol.PNG)),
                new RecordHeader(Protocol.TARGET, bytes(target)));
        admin = Admin.create(Map.of("bootstrap.servers", bootstrap));
        // One partition read by assignment: no group join to wait for, nothing committed, nothing left behind.
        admin.createTopics(List.of(new NewTopic(replyTopic, Optional.of(1), Optional.empty())))
                .all()
                .get(30, TimeUnit.SECONDS);
        // As the gateway's producer: a request counts as sent once the broker has it; idempotence keeps retries single.
        producer = new KafkaProducer<>(
                Map.of("bootstrap.servers", bootstrap, "acks", "all", "enable.idempotence", "true", "linger.ms", "0"),
                new StringSerializer(),
                new ByteArraySerializer());
        Map<String, Object> c =
                Map.of("bootstrap.servers", bootstrap, "enable.auto.commit", "false", "auto.offset.reset", "earliest");
        KafkaConsumer<String, byte[]> consumer =
                new KafkaConsumer<>(c, new StringDeserializer(), new ByteArrayDeserializer());
        consumer.assign(List.of(new TopicPartition(replyTopic, 0)));
        poller = new Thread(() -> poll(consumer), "bench-replies");
        poller.setDaemon(true);
        poller.start();
    }

    private void poll(KafkaConsumer<String, byte[]> consumer) {
        try (consumer) {
            while (running) {
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(20))) {
                    CompletableFuture<Outcome> f = pending.remove(r.key());
                    if (f == null) {
                        continue; // a duplicate (at-least-once delivery) or an answer to a request already timed out
                    }
                    String status = header(r, Protocol.STATUS);
                    if (Outcome.OK.equals(status)) {
                        f.complete(new Outcome(
                                Outcome.OK,
                                Transport.millis(header(r, Protocol.QUEUE_MS)),
                                Transport.millis(header(r, Protocol.COMPUTE_MS))));
                    } else {
                        lastFailure = "worker error: " + header(r, Protocol.ERROR);
                        f.complete(Outcome.failed("kafka:" + status));
                    }
                }
            }
        }
    }

    private static String header(ConsumerRecord<String, byte[]> r, String name) {
        Header h = r.headers().lastHeader(name);
        return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }

    @Override
    public CompletableFuture<Outcome> send() {
        String id = idPrefix + counter.incrementAndGet();
        ProducerRecord<String, byte[]> r = new ProducerRecord<>(requestTopic, null, id, image, requestHeaders);
        CompletableFuture<Outcome> f = new CompletableFuture<>();
        pending.put(id, f);
        producer.send(r, (meta, e) -> {
            if (e != null && pending.remove(id) != null) {
                f.completeExceptionally(e);
            }
        });
        // A request whose answer never comes must not stay in the map.
        return f.orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS).whenComplete((v, e) -> pending.remove(id));
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public String lastFailureDetail() {
        return lastFailure;
    }

    @Override
    public void close() {
        running = false;
        try {
            poller.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        producer.close(Duration.ofSeconds(5));
        try {
            admin.deleteTopics(List.of(replyTopic)).all().get(10, TimeUnit.SECONDS);
        } catch (Exception ignored) {
            // best effort: a reply topic left on a shared broker is harmless and named after this client
        }
        admin.close(Duration.ofSeconds(5));
    }
}
