package org.stargan.deploy.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.DeploymentOptions;
import io.vertx.core.Vertx;
import java.awt.image.BufferedImage;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.stargan.inference.InferenceConfig;
import org.stargan.inference.InferenceVerticle;
import org.stargan.kafka.KafkaBroker;
import org.stargan.kafka.Topics;
import org.stargan.msg.ModelAnnouncement;

/**
 * A stranger can follow {@code docs/protocol.md} with kcat: its example's commands run as written with Debian's
 * {@code kcat} (only the broker's address, and the partition and offset the lookup printed, put in) against the local
 * broker and an inference worker serving the demo's model under the default topic names; each lookup prints the line
 * the document shows (same key and headers, except timings and the worker's name), and the images read back are the
 * model's size. The document's claim that a file over 1,000,000 bytes needs kcat's limit raised is checked too.
 */
@ExtendWith(KafkaBroker.class)
class ProtocolDocKcatTest {
    private static final Path HOME = Path.of("..");
    private static final String DOC_BROKER = "127.0.0.1:9092";
    /** Headers whose values differ from run to run. */
    private static final Set<String> VOLATILE =
            Set.of("stargan.queue-ms", "stargan.compute-ms", "stargan.batch-size", "stargan.worker");

    @TempDir
    Path dir;

    @Test
    void theDocumentedCommandsTranslateAndFindTheirOwnResults(KafkaBroker.Cluster kafka) throws Exception {
        Path kcat = Path.of(System.getenv().getOrDefault("KCAT", "/usr/bin/kcat"));
        assertThat(Files.isExecutable(kcat))
                .as(kcat + " is missing: the protocol test needs Debian's kcat (apt-get install kcat; .ci/run"
                        + " installs it), or set KCAT")
                .isTrue();
        List<KcatExample.Step> steps =
                KcatExample.parse(Files.readString(HOME.resolve("docs/protocol.md"), StandardCharsets.UTF_8));
        assertThat(steps).hasSizeGreaterThanOrEqualTo(8);
        Files.copy(HOME.resolve("gateway/src/main/resources/webroot/samples/face1.png"), dir.resolve("face.png"));
        writeLargePhoto(dir.resolve("photo.png"));

        Vertx vertx = Vertx.vertx();
        try {
            startWorker(vertx, kafka.bootstrapServers());
            Shell shell = new Shell(kcat.getParent(), dir, kafka.bootstrapServers());
            KcatExample.ResultLine found = null;
            for (KcatExample.Step step : steps) {
                String command = step.command().replace(DOC_BROKER, kafka.bootstrapServers());
                if (found != null && command.matches("(?s).*-p \\d+ -o \\d+.*")) {
                    command = command.replaceFirst(
                            "-p \\d+ -o \\d+", "-p " + found.partition() + " -o " + found.offset());
                }
                if (command.contains("-X message.max.bytes=")) {
                    // The document says kcat needs this for a large file: without it the same command must fail.
                    Shell.Result refused = shell.run(command.replaceFirst(" -X message\\.max\\.bytes=\\d+", ""));
                    assertThat(refused.status() != 0 || refused.stderr().contains("too large"))
                            .as(
                                    "kcat without -X message.max.bytes on a %d-byte file: %s",
                                    Files.size(dir.resolve("photo.png")), refused)
                            .isTrue();
                }
                if (!step.isLookup()) {
                    Shell.Result r = shell.run(command);
                    assertThat(r.status()).as("%s: %s", command, r).isZero();
                    continue;
                }
                String printed = shell.runUntilItPrints(command, 120);
                found = KcatExample.ResultLine.parse(printed);
                assertSameResult(found, KcatExample.ResultLine.parse(step.shownOutput()), command);
            }
        } finally {
            vertx.close().toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
        }
        // Each file the document's commands wrote is its own request's result, not merely some record of the topic.
        Map<String, byte[]> results =
                firstValueByKey(kafka.bootstrapServers(), Topics.defaults().translateResults());
        for (var out : Map.of("blond.png", "req-1", "male.png", "req-3").entrySet()) {
            byte[] file = Files.readAllBytes(dir.resolve(out.getKey()));
            byte[] result = results.get(out.getValue());
            assertThat(java.util.Arrays.equals(file, result))
                    .as(
                            "%s (%d bytes) is the result of %s (%s bytes)",
                            out.getKey(),
                            file.length,
                            out.getValue(),
                            result == null ? "no" : Integer.toString(result.length))
                    .isTrue();
            BufferedImage image = ImageIO.read(dir.resolve(out.getKey()).toFile());
            assertThat(image).as(out.getKey() + " is an image").isNotNull();
            assertThat(image.getWidth())
                    .as(out.getKey() + " width: the model's size")
                    .isEqualTo(48);
            assertThat(image.getHeight()).as(out.getKey() + " height").isEqualTo(48);
        }
        assertThat(java.util.Arrays.equals(results.get("req-1"), results.get("req-3")))
                .as("req-1 and req-3 have different results")
                .isFalse();
    }

    /** Every record of {@code topic} by key, the first of each key kept. */
    private static Map<String, byte[]> firstValueByKey(String bootstrap, String topic) {
        Map<String, byte[]> out = new java.util.HashMap<>();
        try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(
                Map.of("bootstrap.servers", bootstrap), new StringDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> parts = c.partitionsFor(topic).stream()
                    .map(p -> new TopicPartition(topic, p.partition()))
                    .toList();
            c.assign(parts);
            c.seekToBeginning(parts);
            Map<TopicPartition, Long> end = c.endOffsets(parts);
            long deadline = System.nanoTime() + 30_000_000_000L;
            while (parts.stream().anyMatch(tp -> c.position(tp) < end.get(tp)) && System.nanoTime() < deadline) {
                c.poll(java.time.Duration.ofMillis(200)).forEach(r -> out.putIfAbsent(r.key(), r.value()));
            }
        }
        return out;
    }

    private static void assertSameResult(KcatExample.ResultLine actual, KcatExample.ResultLine shown, String command) {
        assertThat(actual.key()).as(command).isEqualTo(shown.key());
        assertThat(actual.headers().keySet())
                .as(command)
                .isEqualTo(shown.headers().keySet());
        shown.headers().forEach((name, value) -> {
            if (!VOLATILE.contains(name)) {
                assertThat(actual.headers().get(name))
                        .as("%s of %s", name, command)
                        .isEqualTo(value);
            }
        });
    }

    /**
     * The platform's topics as every service creates them at start (the document's reply topic among them), then an
     * inference worker on the default topic names serving the demo's model as model "default".
     */
    private static void startWorker(Vertx vertx, String bootstrap) throws Exception {
        Topics topics = Topics.defaults();
        org.stargan.kafka.TopicSetup.ensure(
                bootstrap, org.stargan.kafka.TopicPlan.platform(topics, 1), java.time.Duration.ofSeconds(60));
        Path model = HOME.resolve("deploy/models/synthetic48-G.safetensors")
                .toAbsolutePath()
                .normalize();
        try (KafkaProducer<String, byte[]> p = new KafkaProducer<>(
                Map.of("bootstrap.servers", bootstrap), new StringSerializer(), new ByteArraySerializer())) {
            p.send(new ProducerRecord<>(
                            topics.models(),
                            "default",
                            new ModelAnnouncement(
                                            "default",
                                            "synthetic48",
                                            model.toUri().toString(),
                                            1)
                                    .toJson()))
                    .get(30, TimeUnit.SECONDS);
        }
        InferenceConfig config = new InferenceConfig(
                bootstrap, topics.prefix(), "kcat-doc-" + System.nanoTime(), "inference-1", "cpu", 4, 5, 64, null, 0);
        InferenceVerticle worker = new InferenceVerticle();
        vertx.deployVerticle(worker, new DeploymentOptions().setConfig(config.toJson()))
                .toCompletionStage()
                .toCompletableFuture()
                .get(60, TimeUnit.SECONDS);
        // As a user waits for the demo to say it is up: the worker is ready once it has loaded a model.
        HttpClient http =
                HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        URI ready = URI.create("http://127.0.0.1:" + worker.metricsPort() + "/health/ready");
        long deadline = System.nanoTime() + 120_000_000_000L;
        int status = 0;
        while (status != 200 && System.nanoTime() < deadline) {
            Thread.sleep(200);
            status = http.send(
                            HttpRequest.newBuilder(ready)
                                    .timeout(java.time.Duration.ofSeconds(10))
                                    .build(),
                            HttpResponse.BodyHandlers.discarding())
                    .statusCode();
        }
        assertThat(status).as("worker ready (model loaded)").isEqualTo(200);
    }

    /** A PNG of random pixels over 1,000,000 bytes (noise does not compress), like a large photo. */
    private static void writeLargePhoto(Path file) throws Exception {
        BufferedImage img = new BufferedImage(640, 640, BufferedImage.TYPE_INT_RGB);
        Random random = new Random(3);
        for (int y = 0; y < img.getHeight(); y++) {
            for (int x = 0; x < img.getWidth(); x++) {
                img.setRGB(x, y, random.nextInt(1 << 24));
            }
        }
        ImageIO.write(img, "png", file.toFile());
        assertThat(Files.size(file)).isGreaterThan(1_000_000L);
    }
}
