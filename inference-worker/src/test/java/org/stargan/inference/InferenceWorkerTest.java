package org.stargan.inference;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.DeploymentOptions;
import io.vertx.core.Vertx;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.stargan.kafka.KafkaBroker;
import org.stargan.kafka.Topics;
import org.stargan.msg.Protocol;

/** The worker against the real local broker, driven by plain Kafka clients as a third party would. */
@ExtendWith(KafkaBroker.class)
class InferenceWorkerTest {
    @TempDir
    Path tmp;

    private Vertx vertx;
    private Topics topics;
    private String bootstrap;

    @BeforeEach
    void start(KafkaBroker.Cluster kafka) throws Exception {
        vertx = Vertx.vertx();
        bootstrap = kafka.bootstrapServers();
        // Fresh topic names per test: results of one test never reach another.
        topics = new Topics("t" + UUID.randomUUID().toString().substring(0, 8) + ".");
    }

    @AfterEach
    void stop() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }

    private void deploy(int maxBatch, long maxDelayMs) throws Exception {
        Path ckpt = tmp.resolve("G.ckpt");
        try (var in = getClass().getResourceAsStream("/parity/tiny-G.zip.ckpt")) {
            Files.copy(in, ckpt);
        }
        InferenceConfig config = new InferenceConfig(bootstrap, topics.prefix(), "inference-" + topics.prefix(), "w1", "cpu", maxBatch,
                maxDelayMs, 64, ckpt.toString(), -1);
        vertx.deployVerticle(new InferenceVerticle(), new DeploymentOptions().setConfig(config.toJson()))
                .toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
    }

    private static byte[] png(int size) throws Exception {
        var img = new java.awt.image.BufferedImage(size, size, java.awt.image.BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < size; y++) {
            for (int x = 0; x < size; x++) {
                img.setRGB(x, y, (x * 4) << 16 | (y * 4) << 8 | 90);
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(img, "png", out);
        return out.toByteArray();
    }

    private ProducerRecord<String, byte[]> request(String id, byte[] value, Map<String, String> headers) {
        ProducerRecord<String, byte[]> r = new ProducerRecord<>(topics.translateRequests(), id, value);
        headers.forEach((k, v) -> r.headers().add(k, v.getBytes(StandardCharsets.UTF_8)));
        return r;
    }

    private Map<String, String> validHeaders() {
        Map<String, String> h = new HashMap<>();
        h.put(Protocol.SCHEMA, Protocol.REQUEST_V1);
        h.put(Protocol.REPLY_TO, topics.translateResults());
        h.put(Protocol.LABELS, "1,0,0.5");
        return h;
    }

    private List<ConsumerRecord<String, byte[]>> read(String topic, int count) {
        Map<String, Object> c = Map.of("bootstrap.servers", bootstrap, "group.id", "reader-" + UUID.randomUUID(), "auto.offset.reset", "earliest");
        List<ConsumerRecord<String, byte[]>> got = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(c, new StringDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(topic));
            long deadline = System.nanoTime() + 90_000_000_000L;
            while (got.size() < count && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(got::add);
            }
        }
        return got;
    }

    private static String header(ConsumerRecord<String, byte[]> r, String name) {
        Header h = r.headers().lastHeader(name);
        return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }

    private KafkaProducer<String, byte[]> producer() {
        return new KafkaProducer<>(Map.of("bootstrap.servers", bootstrap), new StringSerializer(), new ByteArraySerializer());
    }

    @Test
    void concurrentRequestsAreAnsweredInFewerLargerBatches() throws Exception {
        deploy(8, 300);
        try (KafkaProducer<String, byte[]> p = producer()) {
            for (int i = 0; i < 8; i++) {
                p.send(request("req-" + i, png(40), validHeaders()));
            }
            p.flush();
        }
        List<ConsumerRecord<String, byte[]>> results = read(topics.translateResults(), 8);
        assertThat(results).hasSize(8);
        assertThat(results).extracting(ConsumerRecord::key).containsExactlyInAnyOrder("req-0", "req-1", "req-2", "req-3", "req-4", "req-5",
                "req-6", "req-7");
        int maxBatch = 0;
        for (ConsumerRecord<String, byte[]> r : results) {
            assertThat(header(r, Protocol.STATUS)).as(header(r, Protocol.ERROR)).isEqualTo("ok");
            assertThat(header(r, Protocol.MODEL_VERSION)).isEqualTo("initial");
            assertThat(header(r, Protocol.SCHEMA)).isEqualTo(Protocol.RESULT_V1);
            var img = ImageIO.read(new ByteArrayInputStream(r.value()));
            assertThat(img.getWidth()).isEqualTo(128);
            maxBatch = Math.max(maxBatch, Integer.parseInt(header(r, Protocol.BATCH_SIZE)));
        }
        assertThat(maxBatch).as("largest batch").isGreaterThan(1);
    }

    @Test
    void malformedRequestsGoToDeadLettersWithTheReasonAndTheWorkerKeepsServing() throws Exception {
        deploy(4, 20);
        try (KafkaProducer<String, byte[]> p = producer()) {
            Map<String, String> noSchema = validHeaders();
            noSchema.remove(Protocol.SCHEMA);
            p.send(request("bad-schema", png(20), noSchema));
            p.send(request("bad-image", "not an image".getBytes(StandardCharsets.UTF_8), validHeaders()));
            Map<String, String> badLabels = validHeaders();
            badLabels.put(Protocol.LABELS, "1,2");
            p.send(request("bad-labels", png(20), badLabels));
            p.send(request("good", png(20), validHeaders()));
            p.flush();
        }
        List<ConsumerRecord<String, byte[]>> dead = read(topics.deadLetters(), 3);
        Map<String, String> reasons = new HashMap<>();
        dead.forEach(d -> reasons.put(d.key(), header(d, Protocol.DEAD_LETTER_REASON)));
        assertThat(reasons.get("bad-schema")).contains("stargan.schema: 'null', expected translate-request/1");
        assertThat(reasons.get("bad-image")).contains("not a PNG or JPEG image");
        assertThat(reasons.get("bad-labels")).contains("stargan.labels: '1,2' has 2 values, expected 3");
        // Askers hear about their failures too, and the good request is answered.
        List<ConsumerRecord<String, byte[]>> results = read(topics.translateResults(), 3);
        Map<String, String> status = new HashMap<>();
        results.forEach(r -> status.put(r.key(), header(r, Protocol.STATUS)));
        assertThat(status).containsEntry("good", "ok").containsEntry("bad-image", "error").containsEntry("bad-labels", "error");
    }
}
