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
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
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
        // As a deployment does: a worker answers only on reply topics that exist.
        createTopic(topics.translateRequests(), Map.of());
        createTopic(topics.translateResults(), Map.of());
        createTopic(topics.deadLetters(), Map.of());
    }

    private void createTopic(String name, Map<String, String> config) throws Exception {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
            admin.createTopics(List.of(new NewTopic(name, 1, (short) 1).configs(config)))
                    .all()
                    .get(30, TimeUnit.SECONDS);
        }
    }

    /** The offset the workers' group has committed on the (single) request partition, or −1. */
    private long committed() throws Exception {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
            var offsets = admin.listConsumerGroupOffsets("inference-" + topics.prefix())
                    .partitionsToOffsetAndMetadata()
                    .get(30, TimeUnit.SECONDS);
            var o = offsets.get(new TopicPartition(topics.translateRequests(), 0));
            return o == null ? -1 : o.offset();
        }
    }

    @AfterEach
    void stop() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }

    private Path tinyCheckpoint() throws Exception {
        Path ckpt = tmp.resolve("G.ckpt");
        if (!Files.exists(ckpt)) {
            try (var in = getClass().getResourceAsStream("/parity/tiny-G.zip.ckpt")) {
                Files.copy(in, ckpt);
            }
        }
        return ckpt;
    }

    private InferenceVerticle deploy(int maxBatch, long maxDelayMs) throws Exception {
        return deploy(vertx, "w1", maxBatch, maxDelayMs, -1);
    }

    private InferenceVerticle deploy(Vertx on, String worker, int maxBatch, long maxDelayMs, int metricsPort)
            throws Exception {
        InferenceConfig config = new InferenceConfig(
                bootstrap,
                topics.prefix(),
                "inference-" + topics.prefix(),
                worker,
                "cpu",
                maxBatch,
                maxDelayMs,
                64,
                tinyCheckpoint().toString(),
                metricsPort);
        InferenceVerticle v = new InferenceVerticle();
        on.deployVerticle(v, new DeploymentOptions().setConfig(config.toJson()))
                .toCompletionStage()
                .toCompletableFuture()
                .get(60, TimeUnit.SECONDS);
        return v;
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
        Map<String, Object> c = Map.of(
                "bootstrap.servers",
                bootstrap,
                "group.id",
                "reader-" + UUID.randomUUID(),
                "auto.offset.reset",
                "earliest");
        List<ConsumerRecord<String, byte[]>> got = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> consumer =
                new KafkaConsumer<>(c, new StringDeserializer(), new ByteArrayDeserializer())) {
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
        return new KafkaProducer<>(
                Map.of("bootstrap.servers", bootstrap), new StringSerializer(), new ByteArraySerializer());
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
        assertThat(results)
                .extracting(ConsumerRecord::key)
                .containsExactlyInAnyOrder("req-0", "req-1", "req-2", "req-3", "req-4", "req-5", "req-6", "req-7");
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

    /** Only what docs/protocol.md says: literal topic and header names, a PNG in, a PNG out. */
    @Test
    void aPlainClientFollowingTheProtocolDocumentGetsItsTranslation() throws Exception {
        deploy(4, 5);
        String requests = topics.prefix() + "translate.requests";
        String results = topics.prefix() + "translate.results";
        ProducerRecord<String, byte[]> r = new ProducerRecord<>(requests, "doc-1", png(30));
        r.headers().add("stargan.schema", "translate-request/1".getBytes(StandardCharsets.UTF_8));
        r.headers().add("stargan.reply-to", results.getBytes(StandardCharsets.UTF_8));
        r.headers().add("stargan.target", "domain1=1".getBytes(StandardCharsets.UTF_8));
        r.headers().add("stargan.accept", "image/jpeg".getBytes(StandardCharsets.UTF_8));
        try (KafkaProducer<String, byte[]> p = producer()) {
            p.send(r).get();
        }
        ConsumerRecord<String, byte[]> answer = read(results, 1).get(0);
        assertThat(answer.key()).isEqualTo("doc-1");
        assertThat(header(answer, "stargan.status")).isEqualTo("ok");
        assertThat(header(answer, "stargan.content-type")).isEqualTo("image/jpeg");
        assertThat(Double.parseDouble(header(answer, "stargan.compute-ms"))).isPositive();
        assertThat(ImageIO.read(new ByteArrayInputStream(answer.value())).getWidth())
                .isEqualTo(128);
    }

    @Test
    void aNewVersionOnTheRegistryIsServedWithoutAFailedRequest() throws Exception {
        deploy(4, 5);
        // Version 2: the same generator with its output layer scaled, so its answers differ from version 1's.
        var original = org.stargan.ckpt.GeneratorCheckpoint.load(tinyCheckpoint());
        Map<String, org.stargan.ckpt.HostTensor> w = new java.util.LinkedHashMap<>(original.weights());
        String last = "main." + (9 + original.config().repeatNum() + 6) + ".weight";
        float[] v = w.get(last).values().clone();
        for (int i = 0; i < v.length; i++) {
            v[i] *= 3;
        }
        w.put(last, new org.stargan.ckpt.HostTensor(w.get(last).shape(), v));
        Path v2 = tmp.resolve("v2-G.safetensors");
        new org.stargan.ckpt.GeneratorCheckpoint(original.config(), w, original.info(), "safetensors").save(v2);
        int total = 30;
        try (KafkaProducer<String, byte[]> p = producer()) {
            for (int i = 0; i < total; i++) {
                if (i == 10) {
                    var a = new org.stargan.msg.ModelAnnouncement(
                            "default", "v2", v2.toUri().toString(), System.currentTimeMillis());
                    p.send(new ProducerRecord<>(topics.models(), "default", a.toJson()))
                            .get();
                }
                p.send(request("r" + i, png(24), validHeaders())).get();
                Thread.sleep(100);
            }
        }
        List<ConsumerRecord<String, byte[]>> results = read(topics.translateResults(), total);
        assertThat(results).hasSize(total);
        java.util.Set<String> versions = new java.util.HashSet<>();
        for (ConsumerRecord<String, byte[]> r : results) {
            assertThat(header(r, Protocol.STATUS))
                    .as(r.key() + ": " + header(r, Protocol.ERROR))
                    .isEqualTo("ok");
            versions.add(header(r, Protocol.MODEL_VERSION));
        }
        assertThat(versions).containsExactlyInAnyOrder("initial", "v2");
        // The last request ran on the new version.
        assertThat(results.stream()
                        .filter(r -> r.key().equals("r" + (total - 1)))
                        .map(r -> header(r, Protocol.MODEL_VERSION)))
                .containsOnly("v2");
    }

    @Test
    void aWorkerStoppedWithRequestsInFlightLosesNone() throws Exception {
        Vertx first = Vertx.vertx();
        // One request per batch keeps the first worker busy long enough to be stopped in the middle of the stream.
        deploy(first, "doomed", 1, 0, -1);
        int total = 150;
        try (KafkaProducer<String, byte[]> p = producer()) {
            for (int i = 0; i < total; i++) {
                p.send(request("f" + i, png(24), validHeaders()));
            }
            p.flush();
        }
        assertThat(read(topics.translateResults(), 1)).isNotEmpty();
        first.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        deploy(vertx, "survivor", 8, 10, -1);
        // At-least-once: every request is answered, some possibly twice; the survivor answered what the first left.
        Map<String, List<String>> answeredBy = new HashMap<>();
        long deadline = System.nanoTime() + 120_000_000_000L;
        while (answeredBy.size() < total && System.nanoTime() < deadline) {
            answeredBy.clear();
            for (ConsumerRecord<String, byte[]> r : read(topics.translateResults(), total)) {
                answeredBy.computeIfAbsent(r.key(), k -> new ArrayList<>()).add(header(r, Protocol.WORKER));
            }
        }
        assertThat(answeredBy).hasSize(total);
        assertThat(answeredBy.values().stream().flatMap(List::stream)).contains("doomed", "survivor");
    }

    @Test
    void metricsAreExportedForPrometheus() throws Exception {
        long refreshersBefore = kafkaMetricsThreads();
        InferenceVerticle v = deploy(vertx, "metered", 4, 5, 0);
        try (KafkaProducer<String, byte[]> p = producer()) {
            p.send(request("m1", png(24), validHeaders())).get();
        }
        assertThat(read(topics.translateResults(), 1)).hasSize(1);
        var client = java.net.http.HttpClient.newHttpClient();
        var response = client.send(
                java.net.http.HttpRequest.newBuilder(
                                java.net.URI.create("http://127.0.0.1:" + v.metricsPort() + "/metrics"))
                        .build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body())
                .contains("stargan_inference_requests_total{worker=\"metered\"} 1.0")
                .contains("stargan_inference_batch_size")
                .contains("stargan_inference_queue_seconds")
                .contains("stargan_inference_compute_seconds")
                .contains("stargan_inference_model_versions")
                .contains("jvm_memory_used_bytes")
                .contains("kafka_consumer_fetch_manager_records_lag_max")
                .containsPattern("kafka_producer_record_send_total\\{client_id=\"metered-results\",[^}]*} [1-9]")
                // What it computes with: the device, the libtorch flavor and version, the GPU (none on the CPU).
                .containsPattern(
                        "stargan_device_info\\{device=\"cpu\",flavor=\"cpu\",gpu=\"none\",libtorch=\"2\\.7\\.1\",worker=\"metered\"} 1(\\.0)?\n")
                .contains("stargan_device_usable{device=\"cpu\",worker=\"metered\"} 1.0")
                .contains("stargan_inference_model_evictions_total{worker=\"metered\"} 0.0");
        var ready = client.send(
                java.net.http.HttpRequest.newBuilder(
                                java.net.URI.create("http://127.0.0.1:" + v.metricsPort() + "/health/ready"))
                        .build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        assertThat(ready.statusCode()).isEqualTo(200);
        assertThat(ready.body()).isEqualTo("{\"status\":\"ready\",\"device\":\"cpu\"}");
        // Each worker under its own client id (the broker's logs and quotas tell workers apart).
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
            var group = admin.describeConsumerGroups(List.of("inference-" + topics.prefix()))
                    .all()
                    .get(30, TimeUnit.SECONDS)
                    .get("inference-" + topics.prefix());
            assertThat(group.members()).extracting(m -> m.clientId()).containsExactly("metered");
        }
        // Kafka's client metrics refresh on a thread each (consumer and producer) that stops with the worker.
        assertThat(kafkaMetricsThreads()).isGreaterThanOrEqualTo(refreshersBefore + 2);
        vertx.undeploy(v.deploymentID())
                .toCompletionStage()
                .toCompletableFuture()
                .get(60, TimeUnit.SECONDS);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (kafkaMetricsThreads() > refreshersBefore && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(kafkaMetricsThreads())
                .as("Kafka metrics threads left by a stopped worker")
                .isEqualTo(refreshersBefore);
    }

    private static long kafkaMetricsThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.isAlive() && t.getName().startsWith("micrometer-kafka-metrics"))
                .count();
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
            float[] nan = new float[3 * 128 * 128];
            java.util.Arrays.fill(nan, Float.NaN);
            ByteArrayOutputStream npy = new ByteArrayOutputStream();
            org.stargan.io.Npy.write(npy, org.stargan.io.Npy.Array.ofFloats(nan, 1, 3, 128, 128));
            p.send(request("bad-npy", npy.toByteArray(), validHeaders()));
            Map<String, String> twice = validHeaders();
            twice.put(Protocol.TARGET, "domain1=1,domain1=0");
            p.send(request("bad-target", png(20), twice));
            Map<String, String> nowhere = validHeaders();
            nowhere.put(Protocol.REPLY_TO, topics.prefix() + "nobody-reads-this");
            p.send(request("bad-reply-topic", png(20), nowhere));
            p.send(request("good", png(20), validHeaders()));
            p.flush();
        }
        List<ConsumerRecord<String, byte[]>> dead = read(topics.deadLetters(), 6);
        Map<String, String> reasons = new HashMap<>();
        dead.forEach(d -> reasons.put(d.key(), header(d, Protocol.DEAD_LETTER_REASON)));
        assertThat(reasons.get("bad-schema")).contains("stargan.schema: 'null', expected translate-request/1");
        assertThat(reasons.get("bad-image")).contains("not a PNG or JPEG image");
        assertThat(reasons.get("bad-labels")).contains("stargan.labels: '1,2' has 2 values, expected 3");
        assertThat(reasons.get("bad-npy")).contains("value: NPY element 0 is NaN, expected finite values in [-1, 1]");
        assertThat(reasons.get("bad-target")).contains("stargan.target: domain 'domain1' is given twice");
        assertThat(reasons.get("bad-reply-topic"))
                .contains("stargan.reply-to: topic '" + topics.prefix() + "nobody-reads-this' does not exist");
        // Askers hear about their failures too (except where their reply topic does not exist), and the good request is
        // answered.
        List<ConsumerRecord<String, byte[]>> results = read(topics.translateResults(), 6);
        Map<String, String> status = new HashMap<>();
        results.forEach(r -> status.put(r.key(), header(r, Protocol.STATUS)));
        assertThat(status)
                .containsEntry("good", "ok")
                .containsEntry("bad-schema", "error")
                .containsEntry("bad-image", "error")
                .containsEntry("bad-labels", "error")
                .containsEntry("bad-npy", "error")
                .containsEntry("bad-target", "error");
    }

    /**
     * A reply partition that does not exist used to hold the producer's one sending thread for its metadata timeout
     * (60 s) with every other result queued behind it, and to stop the group's commits for good.
     */
    @Test
    void aRequestForAMissingReplyPartitionIsDeadLetteredAtOnceAndHoldsNothingBack() throws Exception {
        InferenceVerticle v = deploy(vertx, "w1", 4, 5, 0);
        try (KafkaProducer<String, byte[]> p = producer()) {
            p.send(request("warm", png(24), validHeaders())).get();
            assertThat(read(topics.translateResults(), 1)).hasSize(1);
            Map<String, String> bad = validHeaders();
            bad.put(Protocol.REPLY_PARTITION, "7");
            long sentBad = p.send(request("bad-partition", png(24), bad)).get().timestamp();
            for (int i = 0; i < 5; i++) {
                p.send(request("after-" + i, png(24), validHeaders())).get();
            }
            List<ConsumerRecord<String, byte[]>> letters = read(topics.deadLetters(), 1);
            assertThat(letters).as("dead letters").hasSize(1);
            ConsumerRecord<String, byte[]> dead = letters.get(0);
            assertThat(dead.key()).isEqualTo("bad-partition");
            assertThat(header(dead, Protocol.DEAD_LETTER_REASON))
                    .isEqualTo("stargan.reply-partition: 7, but topic '" + topics.translateResults()
                            + "' has 1 partition, expected 0..0");
            assertThat(dead.timestamp() - sentBad).as("ms to the dead letter").isLessThanOrEqualTo(1000);
        }
        List<ConsumerRecord<String, byte[]>> results = read(topics.translateResults(), 6);
        assertThat(results).extracting(ConsumerRecord::key).doesNotContain("bad-partition");
        for (ConsumerRecord<String, byte[]> r : results) {
            assertThat(header(r, Protocol.STATUS)).as(r.key()).isEqualTo("ok");
        }
        awaitCommitted(7);
        assertThat(scrape(v)).contains("stargan_inference_pending{worker=\"w1\"} 0.0");
    }

    /** A result its reply topic refuses (larger than the topic allows) is dead-lettered; later records commit. */
    @Test
    void aResultThatCannotBeDeliveredIsDeadLetteredAndTheOffsetsGoOn() throws Exception {
        String small = topics.prefix() + "small-replies";
        createTopic(small, Map.of("max.message.bytes", "2048"));
        InferenceVerticle v = deploy(vertx, "w1", 4, 5, 0);
        try (KafkaProducer<String, byte[]> p = producer()) {
            Map<String, String> tooBig = validHeaders();
            tooBig.put(Protocol.REPLY_TO, small);
            tooBig.put(Protocol.ACCEPT, Protocol.NPY); // 3·128·128 floats: far over 2 kB
            p.send(request("too-big", png(24), tooBig)).get();
            p.send(request("fine", png(24), validHeaders())).get();
        }
        List<ConsumerRecord<String, byte[]>> letters = read(topics.deadLetters(), 1);
        assertThat(letters).as("dead letters").hasSize(1);
        ConsumerRecord<String, byte[]> dead = letters.get(0);
        assertThat(dead.key()).isEqualTo("too-big");
        assertThat(header(dead, Protocol.DEAD_LETTER_REASON))
                .startsWith("result not delivered to " + small + ": ")
                .contains("larger than the max message size");
        assertThat(read(topics.translateResults(), 1))
                .extracting(ConsumerRecord::key)
                .containsExactly("fine");
        awaitCommitted(2);
        assertThat(scrape(v)).contains("stargan_inference_pending{worker=\"w1\"} 0.0");
    }

    private void awaitCommitted(long expected) throws Exception {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (committed() < expected && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        assertThat(committed()).as("committed offset of the request partition").isEqualTo(expected);
    }

    private static String scrape(InferenceVerticle v) throws Exception {
        // HTTP/1.1, as Prometheus scrapes; a worker that stopped answering fails the test instead of holding the build
        // (the request's own timeout did not fire once, so the wait is bounded here too).
        return java.net.http.HttpClient.newBuilder()
                .version(java.net.http.HttpClient.Version.HTTP_1_1)
                .build()
                .sendAsync(
                        java.net.http.HttpRequest.newBuilder(
                                        java.net.URI.create("http://127.0.0.1:" + v.metricsPort() + "/metrics"))
                                .timeout(java.time.Duration.ofSeconds(30))
                                .build(),
                        java.net.http.HttpResponse.BodyHandlers.ofString())
                .get(40, java.util.concurrent.TimeUnit.SECONDS)
                .body();
    }
}
