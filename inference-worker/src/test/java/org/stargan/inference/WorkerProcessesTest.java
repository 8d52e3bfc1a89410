package org.stargan.inference;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.stargan.kafka.KafkaBroker;
import org.stargan.kafka.LocalKafka;
import org.stargan.kafka.Topics;
import org.stargan.msg.Protocol;
import org.stargan.testing.JavaProcess;

/**
 * Inference workers as processes, started as {@code ./stargan inference-worker} starts them: one asked for a GPU that
 * the loaded libtorch cannot use exits at once naming what to set; a host with N devices runs N workers (here two on
 * the CPU, as two GPUs would run with {@code --device cuda:0} and {@code cuda:1}), each with its own worker id and
 * metrics port, sharing the requests through their consumer group.
 */
@ExtendWith(KafkaBroker.class)
class WorkerProcessesTest {
    @TempDir
    Path tmp;

    private Path tinyCheckpoint() throws Exception {
        Path ckpt = tmp.resolve("G.ckpt");
        if (!Files.exists(ckpt)) {
            try (var in = getClass().getResourceAsStream("/parity/tiny-G.zip.ckpt")) {
                Files.copy(in, ckpt);
            }
        }
        return ckpt;
    }

    @Test
    void aWorkerAskedForAGpuTheLoadedLibtorchCannotUseExitsNamingWhatToSet() throws Exception {
        int metricsPort = LocalKafka.freePort();
        try (JavaProcess p = JavaProcess.of(Main.class)
                .args(
                        "--device",
                        "cuda:0",
                        "--bootstrap",
                        "127.0.0.1:" + LocalKafka.freePort(),
                        "--model",
                        tinyCheckpoint().toString(),
                        "--metrics-port",
                        Integer.toString(metricsPort))
                .start()) {
            assertThat(p.exitCode(Duration.ofSeconds(120))).as(p.output()).isEqualTo(1);
            assertThat(p.output())
                    .contains(
                            "inference-worker: failed to start: --device cuda:0: the loaded libtorch cannot use a GPU")
                    .contains("PYTORCH_FLAVOR=cu128")
                    .contains("-Dpytorch.native=none")
                    .contains("--device cpu")
                    .doesNotContain("consuming");
        }
    }

    @Test
    void twoWorkersOnOneHostShareTheRequestsEachWithItsOwnIdAndMetricsPort(KafkaBroker.Cluster kafka) throws Exception {
        Topics topics = new Topics("t" + UUID.randomUUID().toString().substring(0, 8) + ".");
        String group = "inference-" + topics.prefix();
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", kafka.bootstrapServers()))) {
            // One partition per worker, so that each has requests to take.
            admin.createTopics(List.of(new NewTopic(topics.translateRequests(), 2, (short) 1)))
                    .all()
                    .get();
        }
        int[] ports = {LocalKafka.freePort(), LocalKafka.freePort()};
        List<JavaProcess> workers = new ArrayList<>();
        try {
            for (int i = 0; i < 2; i++) {
                // On a GPU host: --device cuda:i. Here both compute on the CPU.
                workers.add(JavaProcess.of(Main.class)
                        .args(
                                "--device",
                                "cpu",
                                "--worker-id",
                                "worker-" + i,
                                "--metrics-port",
                                Integer.toString(ports[i]),
                                "--bootstrap",
                                kafka.bootstrapServers(),
                                "--topic-prefix",
                                topics.prefix(),
                                "--group",
                                group,
                                "--model",
                                tinyCheckpoint().toString(),
                                "--max-batch",
                                "2")
                        .start());
            }
            for (JavaProcess w : workers) {
                assertThat(w.awaitLine(l -> l.contains("consuming"), Duration.ofSeconds(120)))
                        .as(w.output())
                        .isTrue();
                assertThat(w.output()).contains("device cpu: PyTorch 2.7.1, flavor cpu");
            }
            awaitBothAssigned(kafka, group);

            // A third worker on a port already taken says which option to change.
            try (JavaProcess clash = JavaProcess.of(Main.class)
                    .args(
                            "--device", "cpu",
                            "--metrics-port", Integer.toString(ports[0]),
                            "--bootstrap", kafka.bootstrapServers(),
                            "--topic-prefix", topics.prefix(),
                            "--group", group)
                    .start()) {
                assertThat(clash.exitCode(Duration.ofSeconds(120))).isEqualTo(1);
                assertThat(clash.output())
                        .contains("--metrics-port " + ports[0])
                        .contains("give each its own port");
            }

            // One request for every partition of the queue (the workers create it with the planned count), so each
            // worker has some to answer whichever partitions it holds.
            int n;
            try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(
                    Map.of("bootstrap.servers", kafka.bootstrapServers()),
                    new StringSerializer(),
                    new ByteArraySerializer())) {
                int partitions =
                        producer.partitionsFor(topics.translateRequests()).size();
                n = partitions;
                for (int i = 0; i < n; i++) {
                    ProducerRecord<String, byte[]> r =
                            new ProducerRecord<>(topics.translateRequests(), i, "r" + i, png(24));
                    r.headers().add(Protocol.SCHEMA, Protocol.REQUEST_V1.getBytes(StandardCharsets.UTF_8));
                    r.headers().add(Protocol.REPLY_TO, topics.translateResults().getBytes(StandardCharsets.UTF_8));
                    r.headers().add(Protocol.LABELS, "1,0,0".getBytes(StandardCharsets.UTF_8));
                    producer.send(r).get();
                }
            }
            Map<String, Integer> answeredBy = new HashMap<>();
            for (ConsumerRecord<String, byte[]> r : read(kafka, topics.translateResults(), n)) {
                String worker =
                        new String(r.headers().lastHeader(Protocol.WORKER).value(), StandardCharsets.UTF_8);
                assertThat(new String(r.headers().lastHeader(Protocol.STATUS).value(), StandardCharsets.UTF_8))
                        .as(r.key() + ": "
                                + (r.headers().lastHeader(Protocol.ERROR) == null
                                        ? ""
                                        : new String(
                                                r.headers()
                                                        .lastHeader(Protocol.ERROR)
                                                        .value(),
                                                StandardCharsets.UTF_8)))
                        .isEqualTo("ok");
                answeredBy.merge(worker, 1, Integer::sum);
            }
            assertThat(answeredBy).containsOnlyKeys("worker-0", "worker-1");
            assertThat(answeredBy.values().stream().mapToInt(Integer::intValue).sum())
                    .isEqualTo(n);

            for (int i = 0; i < 2; i++) {
                String metrics = get(ports[i], "/metrics");
                assertThat(metrics)
                        .containsPattern("stargan_device_info\\{device=\"cpu\",flavor=\"cpu\",gpu=\"none\","
                                + "libtorch=\"2\\.7\\.1\",worker=\"worker-" + i + "\"} 1(\\.0)?\n")
                        .contains("stargan_inference_images_total{worker=\"worker-" + i + "\"} "
                                + answeredBy.get("worker-" + i) + ".0")
                        // Kafka's own client metrics, the result producer's (which sent those answers) among them.
                        .contains("kafka_consumer_fetch_manager_records_lag_max")
                        .containsPattern("kafka_producer_record_send_total\\{client_id=\"worker-" + i
                                + "-results\",[^}]*} [1-9]");
                assertThat(get(ports[i], "/health/ready")).isEqualTo("{\"status\":\"ready\",\"device\":\"cpu\"}");
            }
        } finally {
            for (JavaProcess w : workers) {
                w.close();
            }
        }
    }

    /** Waits until the group has two members with at least one partition each. */
    private static void awaitBothAssigned(KafkaBroker.Cluster kafka, String group) throws Exception {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", kafka.bootstrapServers()))) {
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (System.nanoTime() < deadline) {
                ConsumerGroupDescription d =
                        admin.describeConsumerGroups(List.of(group)).all().get().get(group);
                if (d.members().size() == 2
                        && d.members().stream()
                                .allMatch(m -> !m.assignment().topicPartitions().isEmpty())) {
                    return;
                }
                Thread.sleep(200);
            }
            throw new AssertionError("the two workers did not each get a partition of group " + group);
        }
    }

    private static List<ConsumerRecord<String, byte[]>> read(KafkaBroker.Cluster kafka, String topic, int count) {
        Properties c = new Properties();
        c.put("bootstrap.servers", kafka.bootstrapServers());
        c.put("group.id", "reader-" + UUID.randomUUID());
        c.put("auto.offset.reset", "earliest");
        List<ConsumerRecord<String, byte[]>> got = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> consumer =
                new KafkaConsumer<>(c, new StringDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(topic));
            long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
            while (got.size() < count && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(got::add);
            }
        }
        assertThat(got).as("results on " + topic).hasSize(count);
        return got;
    }

    private static String get(int port, String path) throws Exception {
        return HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .build()
                .send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                                .timeout(Duration.ofSeconds(10))
                                .build(),
                        HttpResponse.BodyHandlers.ofString())
                .body();
    }

    /** A PNG test image (the worker resizes it to the model's size). */
    private static byte[] png(int size) throws Exception {
        var img = new java.awt.image.BufferedImage(size, size, java.awt.image.BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < size; y++) {
            for (int x = 0; x < size; x++) {
                img.setRGB(x, y, (x * 8) << 16 | (y * 8) << 8 | 90);
            }
        }
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        javax.imageio.ImageIO.write(img, "png", out);
        return out.toByteArray();
    }
}
