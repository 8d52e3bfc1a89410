package org.stargan.inference;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.DeploymentOptions;
import io.vertx.core.Vertx;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
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
import org.stargan.msg.FaceBox;
import org.stargan.msg.Protocol;
import org.stargan.testing.RealPhotos;

/**
 * Photos through the real broker and worker, as a Kafka client sends them: face crops pasted back, a photo without a
 * face answered with the {@code no_face} kind, and an official checkpoint announced with its domain names.
 */
@ExtendWith(KafkaBroker.class)
class PhotoRequestsTest {
    @TempDir
    Path tmp;

    private Vertx vertx;
    private Topics topics;
    private String bootstrap;

    @BeforeEach
    void start(KafkaBroker.Cluster kafka) throws Exception {
        vertx = Vertx.vertx();
        bootstrap = kafka.bootstrapServers();
        topics = new Topics("p" + UUID.randomUUID().toString().substring(0, 8) + ".");
        // The platform's topics as every service creates them at start: the worker answers only on a reply topic that
        // exists (it checks before computing).
        org.stargan.kafka.TopicSetup.ensure(
                bootstrap, org.stargan.kafka.TopicPlan.platform(topics, 1), java.time.Duration.ofSeconds(60));
        Path ckpt = tinyCheckpoint();
        InferenceConfig config = new InferenceConfig(
                bootstrap, topics.prefix(), "inference-" + topics.prefix(), "w1", "cpu", 4, 5, 64, ckpt.toString(), -1);
        vertx.deployVerticle(new InferenceVerticle(), new DeploymentOptions().setConfig(config.toJson()))
                .toCompletionStage()
                .toCompletableFuture()
                .get(60, TimeUnit.SECONDS);
    }

    @AfterEach
    void stop() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }

    /** The official-format generator written by torch.save (c_dim 3, no names, no image size). */
    private Path tinyCheckpoint() throws Exception {
        Path ckpt = tmp.resolve("tiny-G.ckpt");
        if (!Files.exists(ckpt)) {
            try (var in = getClass().getResourceAsStream("/parity/tiny-G.zip.ckpt")) {
                Files.copy(in, ckpt);
            }
        }
        return ckpt;
    }

    private Map<String, String> headers(String... pairs) {
        Map<String, String> h = new HashMap<>();
        h.put(Protocol.SCHEMA, Protocol.REQUEST_V1);
        h.put(Protocol.REPLY_TO, topics.translateResults());
        h.put(Protocol.LABELS, "0,1,0");
        for (int i = 0; i < pairs.length; i += 2) {
            h.put(pairs[i], pairs[i + 1]);
        }
        return h;
    }

    private void send(String id, byte[] value, Map<String, String> headers) throws Exception {
        ProducerRecord<String, byte[]> r = new ProducerRecord<>(topics.translateRequests(), id, value);
        headers.forEach((k, v) -> r.headers().add(k, v.getBytes(StandardCharsets.UTF_8)));
        try (KafkaProducer<String, byte[]> p = new KafkaProducer<>(
                Map.of("bootstrap.servers", bootstrap), new StringSerializer(), new ByteArraySerializer())) {
            p.send(r).get();
        }
    }

    private Map<String, ConsumerRecord<String, byte[]>> read(String topic, int count) {
        Map<String, Object> c = Map.of(
                "bootstrap.servers",
                bootstrap,
                "group.id",
                "reader-" + UUID.randomUUID(),
                "auto.offset.reset",
                "earliest");
        Map<String, ConsumerRecord<String, byte[]>> got = new HashMap<>();
        try (KafkaConsumer<String, byte[]> consumer =
                new KafkaConsumer<>(c, new StringDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(topic));
            long deadline = System.nanoTime() + 120_000_000_000L;
            while (got.size() < count && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(r -> got.putIfAbsent(r.key(), r));
            }
        }
        return got;
    }

    private static String header(ConsumerRecord<String, byte[]> r, String name) {
        Header h = r.headers().lastHeader(name);
        return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }

    @Test
    void aFaceCropPastedBackAnswersThePhotoAtItsSizeAndFormatChangedOnlyAroundTheFace() throws Exception {
        byte[] astronaut = RealPhotos.ASTRONAUT.bytes();
        byte[] grace = RealPhotos.GRACE_HOPPER.bytes();
        Map<String, String> h = headers(Protocol.CROP, "face", Protocol.PASTE, "true");
        send("astronaut", astronaut, h);
        send("grace", grace, h);
        Map<String, ConsumerRecord<String, byte[]>> results = read(topics.translateResults(), 2);
        ConsumerRecord<String, byte[]> a = results.get("astronaut");
        assertThat(header(a, Protocol.STATUS)).as(header(a, Protocol.ERROR)).isEqualTo("ok");
        assertThat(header(a, Protocol.CONTENT_TYPE)).isEqualTo("image/png");
        List<FaceBox> boxes = FaceBox.fromHeader(header(a, Protocol.FACE_BOXES));
        assertThat(boxes).hasSize(1);
        FaceBox box = boxes.get(0);
        RealPhotos.Annotated m = RealPhotos.ASTRONAUT;
        assertThat(box.x()).isLessThan((int) m.leftEyeX());
        assertThat(box.x() + box.width()).isGreaterThan((int) m.rightEyeX());
        BufferedImage before = ImageIO.read(new ByteArrayInputStream(astronaut));
        BufferedImage after = ImageIO.read(new ByteArrayInputStream(a.value()));
        assertThat(after.getWidth()).isEqualTo(512);
        assertThat(after.getHeight()).isEqualTo(512);
        // Changed pixels exist, and all lie near the face: within 1.5 box widths of the box's centre.
        int changed = 0;
        int far = 0;
        double cx = box.x() + box.width() / 2.0;
        double cy = box.y() + box.height() / 2.0;
        for (int y = 0; y < 512; y++) {
            for (int x = 0; x < 512; x++) {
                if ((before.getRGB(x, y) & 0xffffff) != (after.getRGB(x, y) & 0xffffff)) {
                    changed++;
                    if (Math.abs(x + 0.5 - cx) > 1.5 * box.width() || Math.abs(y + 0.5 - cy) > 1.5 * box.width()) {
                        far++;
                    }
                }
            }
        }
        assertThat(changed).as("pixels changed").isGreaterThan(box.width() * box.height());
        assertThat(far).as("pixels changed far from the face").isZero();
        ConsumerRecord<String, byte[]> g = results.get("grace");
        assertThat(header(g, Protocol.STATUS)).as(header(g, Protocol.ERROR)).isEqualTo("ok");
        assertThat(header(g, Protocol.CONTENT_TYPE))
                .as("a JPEG answered as JPEG")
                .isEqualTo("image/jpeg");
        BufferedImage graceAfter = ImageIO.read(new ByteArrayInputStream(g.value()));
        assertThat(graceAfter.getWidth()).isEqualTo(512);
        assertThat(graceAfter.getHeight()).isEqualTo(600);
    }

    @Test
    void aPhotoWithoutAFaceIsAnsweredNoFaceSayingSo() throws Exception {
        send("coffee", RealPhotos.noFace("coffee.png"), headers(Protocol.CROP, "face"));
        send("fallback", RealPhotos.noFace("coffee.png"), headers(Protocol.CROP, "center", Protocol.PASTE, "true"));
        Map<String, ConsumerRecord<String, byte[]>> results = read(topics.translateResults(), 2);
        ConsumerRecord<String, byte[]> r = results.get("coffee");
        assertThat(header(r, Protocol.STATUS)).isEqualTo("error");
        assertThat(header(r, Protocol.ERROR_KIND)).isEqualTo("no_face");
        assertThat(header(r, Protocol.ERROR))
                .contains("no face found in the 600×400 photo")
                .contains("stargan.crop=face")
                .contains("stargan.crop=center");
        // The centre-crop fallback the asker can choose: the photo back at its size, its centre translated.
        ConsumerRecord<String, byte[]> f = results.get("fallback");
        assertThat(header(f, Protocol.STATUS)).as(header(f, Protocol.ERROR)).isEqualTo("ok");
        BufferedImage img = ImageIO.read(new ByteArrayInputStream(f.value()));
        assertThat(img.getWidth()).isEqualTo(600);
        assertThat(img.getHeight()).isEqualTo(400);
    }

    @Test
    void badPhotoOptionsAreRefusedNamingTheHeader() throws Exception {
        send("bad-crop", RealPhotos.ASTRONAUT.bytes(), headers(Protocol.CROP, "eyes"));
        send("npy-face", npy(), headers(Protocol.CROP, "face"));
        send(
                "npy-accept",
                RealPhotos.ASTRONAUT.bytes(),
                headers(Protocol.PASTE, "true", Protocol.ACCEPT, "application/x-npy"));
        Map<String, ConsumerRecord<String, byte[]>> dead = read(topics.deadLetters(), 3);
        assertThat(header(dead.get("bad-crop"), Protocol.DEAD_LETTER_REASON))
                .contains("stargan.crop: 'eyes', expected face, center or none");
        assertThat(header(dead.get("npy-face"), Protocol.DEAD_LETTER_REASON))
                .contains("stargan.crop: 'face' needs a PNG or JPEG photo");
        assertThat(header(dead.get("npy-accept"), Protocol.DEAD_LETTER_REASON))
                .contains("stargan.accept: 'application/x-npy' with stargan.paste=true");
    }

    @Test
    void anOfficialCheckpointAnnouncedWithItsDomainNamesIsServedByName() throws Exception {
        Path ckpt = tinyCheckpoint();
        Map<String, String> env = Map.of("STARGAN_KAFKA_BOOTSTRAP", bootstrap, "STARGAN_TOPIC_PREFIX", topics.prefix());
        // Three names for a c_dim 3 generator: announced; two: refused before anything is published.
        assertThat(AnnounceCommand.run(
                        new String[] {"--checkpoint", ckpt.toString(), "--name", "celeba", "--domains", "Male,Young"},
                        env))
                .isEqualTo(2);
        assertThat(AnnounceCommand.run(
                        new String[] {
                            "--checkpoint",
                            ckpt.toString(),
                            "--name",
                            "celeba",
                            "--version",
                            "official",
                            "--domains",
                            "Black_Hair,Blond_Hair,Young",
                            "--description",
                            "official StarGAN format, written by torch.save"
                        },
                        env))
                .isZero();
        List<String> answers = new ArrayList<>();
        long deadline = System.nanoTime() + 60_000_000_000L;
        int attempt = 0;
        // The worker loads the announced version in the background: ask until it answers from it.
        while (System.nanoTime() < deadline) {
            String id = "named-" + attempt++;
            Map<String, String> h = headers(Protocol.MODEL, "celeba", Protocol.TARGET, "Blond_Hair=1");
            h.remove(Protocol.LABELS);
            send(id, RealPhotos.ASTRONAUT.bytes(), h);
            ConsumerRecord<String, byte[]> r =
                    read(topics.translateResults(), attempt).get(id);
            answers.add(header(r, Protocol.STATUS) + " " + header(r, Protocol.ERROR_KIND));
            if ("ok".equals(header(r, Protocol.STATUS))) {
                assertThat(header(r, Protocol.MODEL_VERSION)).isEqualTo("official");
                assertThat(ImageIO.read(new ByteArrayInputStream(r.value())).getWidth())
                        .as("official checkpoints without an image size are served at 128 px")
                        .isEqualTo(128);
                return;
            }
            assertThat(header(r, Protocol.ERROR_KIND)).isEqualTo("model_unavailable");
            Thread.sleep(500);
        }
        throw new AssertionError("model celeba never served a request: " + answers);
    }

    private static byte[] npy() throws Exception {
        var out = new java.io.ByteArrayOutputStream();
        org.stargan.io.Npy.write(out, org.stargan.io.Npy.Array.ofFloats(new float[3 * 128 * 128], 1, 3, 128, 128));
        return out.toByteArray();
    }
}
