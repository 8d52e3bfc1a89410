package org.stargan.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.DeploymentOptions;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.stargan.inference.InferenceConfig;
import org.stargan.inference.InferenceVerticle;
import org.stargan.kafka.KafkaBroker;
import org.stargan.kafka.Topics;
import org.stargan.msg.FaceBox;
import org.stargan.msg.ModelAnnouncement;
import org.stargan.testing.RealPhotos;

/**
 * Real photos through the whole path — HTTP or WebSocket → gateway → the real local broker → a real inference worker
 * (OpenCV face detection, CelebA alignment, the generator, paste-back) → gateway — on photographs Debian ships: the
 * astronaut comes back at its own size, changed only around the face the gateway reports, and a photo without a face
 * is answered 422 in the parameters' words. The generator is the tiny official-format checkpoint (written by
 * {@code torch.save}, names nothing), announced with domain names and a description as {@code ./stargan announce}
 * does.
 */
@ExtendWith(KafkaBroker.class)
class PhotoTranslationTest {
    private static final String CARD = "tiny official-format test generator, not trained";

    @TempDir
    Path tmp;

    private Vertx vertx;
    private int port;
    private final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10))
            .build();

    @BeforeEach
    void start(KafkaBroker.Cluster kafka) throws Exception {
        vertx = Vertx.vertx();
        String bootstrap = kafka.bootstrapServers();
        Topics topics = new Topics("ph" + UUID.randomUUID().toString().substring(0, 8) + ".");
        Path ckpt = tmp.resolve("200000-G.ckpt");
        try (var in = getClass().getResourceAsStream("/parity/tiny-G.zip.ckpt")) {
            Files.copy(in, ckpt);
        }
        deploy(
                new InferenceVerticle(),
                new InferenceConfig(
                                bootstrap, topics.prefix(), "inf-" + topics.prefix(), "w1", "cpu", 4, 5, 64, null, -1)
                        .toJson());
        try (KafkaProducer<String, byte[]> p = new KafkaProducer<>(
                Map.of("bootstrap.servers", bootstrap), new StringSerializer(), new ByteArraySerializer())) {
            p.send(new ProducerRecord<>(
                            topics.models(),
                            "default",
                            new ModelAnnouncement(
                                            "default",
                                            "official1",
                                            ckpt.toUri().toString(),
                                            1,
                                            List.of("Black_Hair", "Blond_Hair", "Male"),
                                            0,
                                            CARD)
                                    .toJson()))
                    .get();
        }
        GatewayVerticle gateway = new GatewayVerticle();
        deploy(
                gateway,
                new GatewayConfig(bootstrap, topics.prefix(), "gw-photo", 0, 60_000, 16, 4 << 20, Map.of()).toJson());
        port = gateway.port();
        long deadline = System.nanoTime() + 90_000_000_000L;
        while (System.nanoTime() < deadline && get("/health/ready").statusCode() != 200) {
            Thread.sleep(200);
        }
        assertThat(get("/health/ready").statusCode())
                .as(get("/health/ready").body())
                .isEqualTo(200);
    }

    @AfterEach
    void stop() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }

    private void deploy(io.vertx.core.Deployable verticle, JsonObject config) throws Exception {
        vertx.deployVerticle(verticle, new DeploymentOptions().setConfig(config))
                .toCompletionStage()
                .toCompletableFuture()
                .get(60, TimeUnit.SECONDS);
    }

    private HttpResponse<String> get(String path) throws Exception {
        return http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                        .timeout(Duration.ofSeconds(30))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<byte[]> post(String path, byte[] photo) throws Exception {
        return http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                        .timeout(Duration.ofSeconds(90))
                        .header("Content-Type", "image/png")
                        .POST(HttpRequest.BodyPublishers.ofByteArray(photo))
                        .build(),
                HttpResponse.BodyHandlers.ofByteArray());
    }

    @Test
    void theAstronautComesBackAtItsSizeChangedOnlyAroundTheReportedFaceAndACoffeeCupIs422() throws Exception {
        // The model card is the announcement's: the official file names nothing.
        JsonObject version = new JsonObject(get("/v1/models").body())
                .getJsonArray("models")
                .getJsonObject(0)
                .getJsonArray("versions")
                .getJsonObject(0);
        assertThat(version.getString("description")).isEqualTo(CARD);
        assertThat(version.getJsonArray("domains").getList()).containsExactly("Black_Hair", "Blond_Hair", "Male");

        byte[] astronaut = RealPhotos.ASTRONAUT.bytes();
        HttpResponse<byte[]> pasted = post("/v1/translations?target=Blond_Hair=1&crop=face&paste=true", astronaut);
        assertThat(pasted.statusCode()).as(new String(pasted.body())).isEqualTo(200);
        assertThat(pasted.headers().firstValue("Content-Type")).hasValue("image/png");
        List<FaceBox> boxes =
                FaceBox.fromHeader(pasted.headers().firstValue("X-Face-Boxes").orElseThrow());
        assertThat(boxes).hasSize(1);
        FaceBox box = boxes.get(0);
        RealPhotos.Annotated marked = RealPhotos.ASTRONAUT;
        assertThat(box.x()).isLessThan((int) marked.leftEyeX());
        assertThat(box.x() + box.width()).isGreaterThan((int) marked.rightEyeX());
        assertThat(box.y()).isLessThan((int) marked.leftEyeY());
        assertThat(box.y() + box.height()).isGreaterThan((int) marked.leftEyeY());
        BufferedImage before = ImageIO.read(new ByteArrayInputStream(astronaut));
        BufferedImage after = ImageIO.read(new ByteArrayInputStream(pasted.body()));
        assertThat(after.getWidth()).isEqualTo(512);
        assertThat(after.getHeight()).isEqualTo(512);
        assertChangedOnlyAroundTheFace(before, after, box);

        // The JSON answer says the same.
        HttpResponse<byte[]> json = http.send(
                HttpRequest.newBuilder(
                                URI.create("http://127.0.0.1:" + port + "/v1/translations?target=Male=1&crop=face"))
                        .timeout(Duration.ofSeconds(90))
                        .header("Content-Type", "image/png")
                        .header("Accept", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofByteArray(astronaut))
                        .build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertThat(json.statusCode()).as(new String(json.body())).isEqualTo(200);
        JsonObject answer = new JsonObject(new String(json.body()));
        assertThat(answer.getString("content_type")).isEqualTo("image/png");
        assertThat(answer.getJsonArray("face_boxes").getJsonObject(0).getInteger("x"))
                .isEqualTo(box.x());

        // No face: 422 in the words of the HTTP parameters, and the fallback it names works.
        byte[] coffee = RealPhotos.noFace("coffee.png");
        HttpResponse<byte[]> none = post("/v1/translations?target=Blond_Hair=1&crop=face&paste=true", coffee);
        assertThat(none.statusCode()).as(new String(none.body())).isEqualTo(422);
        JsonObject error = new JsonObject(new String(none.body()));
        assertThat(error.getString("error")).isEqualTo("no_face");
        assertThat(error.getString("message"))
                .contains("no face found in the 600×400 photo (crop=face)")
                .contains("choose crop=center")
                .doesNotContain("stargan.");
        HttpResponse<byte[]> centre = post("/v1/translations?target=Blond_Hair=1&crop=center&paste=true", coffee);
        assertThat(centre.statusCode()).as(new String(centre.body())).isEqualTo(200);
        BufferedImage centred = ImageIO.read(new ByteArrayInputStream(centre.body()));
        assertThat(centred.getWidth()).isEqualTo(600);
        assertThat(centred.getHeight()).isEqualTo(400);
        assertThat(centre.headers().firstValue("X-Face-Boxes")).isEmpty();
    }

    @Test
    void aLiveEditWithAFaceCropCarriesTheFaceBoxesAndANoFacePhotoGetsANoFaceFrame() throws Exception {
        LinkedBlockingQueue<Object> frames = new LinkedBlockingQueue<>();
        WebSocket ws = http.newWebSocketBuilder()
                .buildAsync(URI.create("ws://127.0.0.1:" + port + "/v1/stream"), new WebSocket.Listener() {
                    private final ByteArrayOutputStream binary = new ByteArrayOutputStream();
                    private final StringBuilder text = new StringBuilder();

                    @Override
                    public CompletionStage<?> onText(WebSocket w, CharSequence data, boolean last) {
                        text.append(data);
                        if (last) {
                            frames.add(new JsonObject(text.toString()));
                            text.setLength(0);
                        }
                        w.request(1);
                        return null;
                    }

                    @Override
                    public CompletionStage<?> onBinary(WebSocket w, ByteBuffer data, boolean last) {
                        byte[] b = new byte[data.remaining()];
                        data.get(b);
                        binary.writeBytes(b);
                        if (last) {
                            frames.add(binary.toByteArray());
                            binary.reset();
                        }
                        w.request(1);
                        return null;
                    }
                })
                .get(10, TimeUnit.SECONDS);
        byte[] astronaut = RealPhotos.ASTRONAUT.bytes();
        ws.sendBinary(ByteBuffer.wrap(astronaut), true).get(10, TimeUnit.SECONDS);
        ws.sendText("{\"seq\": 1, \"target\": \"Blond_Hair=1\", \"crop\": \"face\", \"paste\": true}", true)
                .get(10, TimeUnit.SECONDS);
        JsonObject info = (JsonObject) frames.poll(90, TimeUnit.SECONDS);
        assertThat(info).isNotNull();
        assertThat(info.getLong("seq")).as(info.encode()).isEqualTo(1);
        assertThat(info.getString("content_type")).as(info.encode()).isEqualTo("image/png");
        JsonObject box = info.getJsonArray("face_boxes").getJsonObject(0);
        FaceBox face = new FaceBox(
                box.getInteger("x"), box.getInteger("y"), box.getInteger("width"), box.getInteger("height"));
        byte[] image = (byte[]) frames.poll(30, TimeUnit.SECONDS);
        assertThat(image).isNotNull();
        BufferedImage after = ImageIO.read(new ByteArrayInputStream(image));
        assertThat(after.getWidth()).isEqualTo(512);
        assertThat(after.getHeight()).isEqualTo(512);
        assertChangedOnlyAroundTheFace(ImageIO.read(new ByteArrayInputStream(astronaut)), after, face);

        ws.sendBinary(ByteBuffer.wrap(RealPhotos.noFace("coffee.png")), true).get(10, TimeUnit.SECONDS);
        ws.sendText("{\"seq\": 2, \"target\": \"Blond_Hair=1\", \"crop\": \"face\"}", true)
                .get(10, TimeUnit.SECONDS);
        JsonObject error = (JsonObject) frames.poll(90, TimeUnit.SECONDS);
        assertThat(error).isNotNull();
        assertThat(error.getLong("seq")).as(error.encode()).isEqualTo(2);
        assertThat(error.getString("error")).as(error.encode()).isEqualTo("no_face");
        assertThat(error.getString("message")).contains("choose crop=center");
        ws.sendClose(WebSocket.NORMAL_CLOSURE, "done").get(10, TimeUnit.SECONDS);
    }

    /**
     * Pixels changed, at least a face's worth, and only within 1.5 face-box widths of the box's centre: everything
     * farther away keeps the input's exact value (the answer is PNG, so nothing else may have touched them).
     */
    private static void assertChangedOnlyAroundTheFace(BufferedImage before, BufferedImage after, FaceBox box) {
        double cx = box.x() + box.width() / 2.0;
        double cy = box.y() + box.height() / 2.0;
        double reach = 1.5 * box.width();
        int changed = 0;
        int far = 0;
        int farChecked = 0;
        for (int y = 0; y < before.getHeight(); y++) {
            for (int x = 0; x < before.getWidth(); x++) {
                boolean isFar = Math.abs(x + 0.5 - cx) > reach || Math.abs(y + 0.5 - cy) > reach;
                boolean differs = (before.getRGB(x, y) & 0xffffff) != (after.getRGB(x, y) & 0xffffff);
                changed += differs ? 1 : 0;
                farChecked += isFar ? 1 : 0;
                far += isFar && differs ? 1 : 0;
            }
        }
        assertThat(farChecked).as("pixels far from the face").isGreaterThan(before.getWidth() * before.getHeight() / 2);
        assertThat(far).as("pixels changed far from the face").isZero();
        assertThat(changed).as("pixels changed").isGreaterThan(box.width() * box.height());
    }
}
