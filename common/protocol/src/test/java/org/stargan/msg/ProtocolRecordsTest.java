package org.stargan.msg;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Every record of the wire protocol survives its own codec, and malformed input is refused naming the field. */
class ProtocolRecordsTest {
    private static final byte[] PNG = {(byte) 0x89, 'P', 'N', 'G', 1, 2, 3};

    @Test
    void millisAreWrittenAsPercentTwoFWouldWriteThem() {
        java.util.Random random = new java.util.Random(7);
        List<Double> values = new java.util.ArrayList<>(List.of(
                0.0, 0.004, 0.005, 0.01, 0.099, 0.1, 1.0, 9.999, 10.05, 23.456, 99.995, 1234.5678, 86_400_000.0));
        for (int i = 0; i < 10_000; i++) {
            values.add(random.nextDouble() * Math.pow(10, random.nextInt(7)));
        }
        for (double v : values) {
            String expected = String.format(java.util.Locale.ROOT, "%.2f", v);
            // Values on a tie in decimal may round either way through binary; none of these lands on one.
            assertThat(TranslateResult.millis(v)).as("%s", v).isEqualTo(expected);
        }
        // Outside the usual range: what %.2f writes.
        assertThat(TranslateResult.millis(Double.NaN)).isEqualTo("NaN");
        assertThat(TranslateResult.millis(-1.5)).isEqualTo("-1.50");
    }

    @Test
    void aTranslateRequestRoundTripsThroughItsHeaders() {
        TranslateRequest r = new TranslateRequest(
                "gw-1-42",
                PNG,
                "stargan.translate.results.gw-1",
                3,
                "0,1,0,1,1",
                "Blond_Hair=1",
                "demo",
                "v7",
                Protocol.JPEG);
        TranslateRequest back = TranslateRequest.fromRecord(r.id(), r.image(), r.headers());
        assertThat(back).usingRecursiveComparison().isEqualTo(r);
        assertThat(r.headers())
                .containsEntry(Protocol.SCHEMA, Protocol.REQUEST_V1)
                .containsEntry(Protocol.REPLY_PARTITION, "3");
    }

    @Test
    void photoOptionsRoundTripThroughTheirHeaders() {
        PhotoOptions photo = new PhotoOptions(PhotoOptions.Crop.FACE, true, PhotoOptions.Faces.ALL);
        TranslateRequest r =
                new TranslateRequest("gw-1-43", PNG, "replies", -1, null, "Blond_Hair=1", "default", null, null, photo);
        assertThat(r.headers())
                .containsEntry(Protocol.CROP, "face")
                .containsEntry(Protocol.PASTE, "true")
                .containsEntry(Protocol.FACES, "all")
                .doesNotContainKey(Protocol.ACCEPT);
        TranslateRequest back = TranslateRequest.fromRecord(r.id(), r.image(), r.headers());
        assertThat(back).usingRecursiveComparison().isEqualTo(r);
        assertThat(back.accept())
                .as("no stargan.accept with paste: the photo's own format")
                .isNull();
        // The defaults write no photo headers and read back as the defaults.
        TranslateRequest plain = TranslateRequest.fromRecord(
                "id", PNG, Map.of(Protocol.SCHEMA, Protocol.REQUEST_V1, Protocol.REPLY_TO, "r", Protocol.LABELS, "1"));
        assertThat(plain.photo()).isEqualTo(PhotoOptions.DEFAULT);
        assertThat(plain.accept()).isEqualTo(Protocol.PNG);
        assertThat(plain.headers()).doesNotContainKeys(Protocol.CROP, Protocol.PASTE, Protocol.FACES);
    }

    @Test
    void badPhotoOptionsAreNamed() {
        Map<String, String> h = new HashMap<>(
                Map.of(Protocol.SCHEMA, Protocol.REQUEST_V1, Protocol.REPLY_TO, "r", Protocol.TARGET, "Male=1"));
        h.put(Protocol.CROP, "eyes");
        assertThatThrownBy(() -> TranslateRequest.fromRecord("id", PNG, h))
                .hasMessage(Protocol.CROP + ": 'eyes', expected face, center or none");
        h.put(Protocol.CROP, "face");
        h.put(Protocol.PASTE, "yes");
        assertThatThrownBy(() -> TranslateRequest.fromRecord("id", PNG, h))
                .hasMessage(Protocol.PASTE + ": 'yes', expected true or false");
        h.put(Protocol.PASTE, "true");
        h.put(Protocol.FACES, "some");
        assertThatThrownBy(() -> TranslateRequest.fromRecord("id", PNG, h))
                .hasMessage(Protocol.FACES + ": 'some', expected largest or all");
        h.remove(Protocol.FACES);
        h.put(Protocol.ACCEPT, Protocol.NPY);
        assertThatThrownBy(() -> TranslateRequest.fromRecord("id", PNG, h))
                .hasMessageContaining(Protocol.ACCEPT + ": 'application/x-npy' with " + Protocol.PASTE + "=true");
        h.remove(Protocol.ACCEPT);
        byte[] npy = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0};
        assertThatThrownBy(() -> TranslateRequest.fromRecord("id", npy, h))
                .hasMessageContaining(Protocol.CROP + ": 'face' needs a PNG or JPEG photo");
    }

    @Test
    void faceBoxesAndTheNoFaceKindRoundTripOnResults() {
        List<FaceBox> boxes = List.of(new FaceBox(173, 64, 102, 102), new FaceBox(10, 20, 30, 31));
        TranslateResult r = TranslateResult.ok("gw-1-44", PNG, Protocol.PNG, "celeba", "official", 1, 2, 1, "w")
                .withFaces(boxes);
        assertThat(r.headers()).containsEntry(Protocol.FACE_BOXES, "173,64,102,102;10,20,30,31");
        assertThat(TranslateResult.fromRecord(r.id(), r.image(), r.headers()).faces())
                .isEqualTo(boxes);
        TranslateResult none = TranslateResult.error("x", TranslateResult.ErrorKind.NO_FACE, "no face found", "w");
        assertThat(none.headers()).containsEntry(Protocol.ERROR_KIND, "no_face");
        assertThatThrownBy(() -> FaceBox.fromHeader("1,2,3"))
                .hasMessage(Protocol.FACE_BOXES + ": '1,2,3', expected x,y,w,h;... with whole numbers");
    }

    @Test
    void aRequestWithoutOptionalHeadersGetsTheDefaults() {
        TranslateRequest back = TranslateRequest.fromRecord(
                "id",
                PNG,
                Map.of(Protocol.SCHEMA, Protocol.REQUEST_V1, Protocol.REPLY_TO, "replies", Protocol.TARGET, "Male=1"));
        assertThat(back.model()).isEqualTo("default");
        assertThat(back.accept()).isEqualTo(Protocol.PNG);
        assertThat(back.replyPartition()).isEqualTo(-1);
        assertThat(back.headers())
                .doesNotContainKeys(Protocol.REPLY_PARTITION, Protocol.LABELS, Protocol.MODEL_VERSION);
    }

    @Test
    void badRequestHeadersAreNamed() {
        Map<String, String> h = new HashMap<>(
                Map.of(Protocol.SCHEMA, Protocol.REQUEST_V1, Protocol.REPLY_TO, "r", Protocol.TARGET, "Male=1"));
        h.put(Protocol.REPLY_PARTITION, "-2");
        assertThatThrownBy(() -> TranslateRequest.fromRecord("id", PNG, h))
                .hasMessageContaining(Protocol.REPLY_PARTITION + ": '-2'");
        h.remove(Protocol.REPLY_PARTITION);
        h.put(Protocol.ACCEPT, "image/gif");
        assertThatThrownBy(() -> TranslateRequest.fromRecord("id", PNG, h))
                .hasMessageContaining(Protocol.ACCEPT + ": 'image/gif'");
        h.remove(Protocol.ACCEPT);
        h.put(Protocol.MODEL, "no spaces");
        assertThatThrownBy(() -> TranslateRequest.fromRecord("id", PNG, h))
                .hasMessageContaining(Protocol.MODEL + ": 'no spaces'");
        assertThatThrownBy(
                        () -> TranslateRequest.fromRecord("bad id!", PNG, Map.of(Protocol.SCHEMA, Protocol.REQUEST_V1)))
                .hasMessageContaining("key: request id 'bad id!'");
    }

    @Test
    void anOkResultRoundTripsThroughItsHeaders() {
        TranslateResult r = TranslateResult.ok("gw-1-42", PNG, Protocol.PNG, "demo", "v7", 1.5, 12.25, 4, "worker-a");
        TranslateResult back = TranslateResult.fromRecord(r.id(), r.image(), r.headers());
        assertThat(back).usingRecursiveComparison().isEqualTo(r);
        assertThat(back.isOk()).isTrue();
    }

    @Test
    void anErrorResultKeepsItsKindAndMessage() {
        for (TranslateResult.ErrorKind kind : TranslateResult.ErrorKind.values()) {
            TranslateResult r =
                    TranslateResult.error("id-" + kind.ordinal(), kind, "targets: 'Blue_Hair' unknown", "w");
            TranslateResult back = TranslateResult.fromRecord(r.id(), new byte[0], r.headers());
            assertThat(back).usingRecursiveComparison().isEqualTo(r);
            assertThat(back.headers()).containsEntry(Protocol.ERROR_KIND, kind.wire());
        }
    }

    @Test
    void badResultHeadersAreNamed() {
        Map<String, String> h = new HashMap<>(TranslateResult.error("x", TranslateResult.ErrorKind.INTERNAL, "m", "w")
                .headers());
        h.put(Protocol.ERROR_KIND, "teapot");
        assertThatThrownBy(() -> TranslateResult.fromRecord("x", new byte[0], h))
                .hasMessageContaining(Protocol.ERROR_KIND + ": 'teapot'");
        h.put(Protocol.STATUS, "maybe");
        assertThatThrownBy(() -> TranslateResult.fromRecord("x", new byte[0], h))
                .hasMessageContaining(Protocol.STATUS + ": 'maybe'");
        Map<String, String> ok = new HashMap<>(TranslateResult.ok("x", PNG, Protocol.PNG, "m", "v", 0, 0, 1, "w")
                .headers());
        ok.put(Protocol.QUEUE_MS, "soon");
        assertThatThrownBy(() -> TranslateResult.fromRecord("x", PNG, ok))
                .hasMessageContaining(Protocol.QUEUE_MS + ": 'soon'");
        assertThatThrownBy(() -> TranslateResult.fromRecord(
                        "x",
                        new byte[0],
                        TranslateResult.ok("x", PNG, Protocol.PNG, "m", "v", 0, 0, 1, "w")
                                .headers()))
                .hasMessageContaining("value: empty on an ok result");
    }

    @Test
    void aDeadLetterRoundTripsWithItsOriginalHeaders() {
        Map<String, String> original = Map.of(Protocol.SCHEMA, "translate-request/9", Protocol.REPLY_TO, "r");
        DeadLetter d = DeadLetter.of("k", PNG, original, "stargan.schema: 'translate-request/9'", "requests", 2, 41);
        DeadLetter back = DeadLetter.fromRecord(d.key(), d.value(), d.headers());
        assertThat(back).usingRecursiveComparison().isEqualTo(d);
        assertThat(back.source()).isEqualTo("requests-2@41");
        assertThatThrownBy(() -> new DeadLetter("k", PNG, Map.of(), "why", "nowhere"))
                .hasMessageContaining(Protocol.DEAD_LETTER_SOURCE + ": 'nowhere'");
    }

    @Test
    void aModelAnnouncementRoundTripsThroughJson() {
        ModelAnnouncement a = new ModelAnnouncement("demo", "job-1-200", "file:/models/200-G.safetensors", 1234L);
        assertThat(ModelAnnouncement.fromJson(a.toJson())).isEqualTo(a);
        assertThat(new String(a.toJson(), StandardCharsets.UTF_8))
                .doesNotContain("domains")
                .doesNotContain("image_size")
                .doesNotContain("description");
        ModelAnnouncement official = new ModelAnnouncement(
                "celeba",
                "200000",
                "file:/models/200000-G.ckpt",
                1,
                List.of("Black_Hair", "Blond_Hair", "Brown_Hair", "Male", "Young"),
                128,
                "CelebA photos, 128 px (the official StarGAN model)");
        assertThat(ModelAnnouncement.fromJson(official.toJson())).isEqualTo(official);
        assertThatThrownBy(() -> new ModelAnnouncement("m", "v", "u", 1, List.of("Male", "Male"), 0, null))
                .hasMessageContaining("domains: 'Male'");
        assertThatThrownBy(() -> new ModelAnnouncement("m", "v", "u", 1, List.of("Blond Hair"), 0, null))
                .hasMessageContaining("domains: 'Blond Hair'");
        assertThatThrownBy(() -> new ModelAnnouncement("m", "v", "u", 1, List.of(), 130, null))
                .hasMessageContaining("image_size: 130");
        assertThatThrownBy(() -> ModelAnnouncement.fromJson(
                        "{\"schema\":\"model/1\",\"name\":\"m\",\"version\":\"v\",\"uri\":\"u\",\"domains\":\"Male\"}"
                                .getBytes(StandardCharsets.UTF_8)))
                .hasMessageContaining("domains: \"Male\", expected an array of names");
        assertThatThrownBy(
                        () -> ModelAnnouncement.fromJson("{\"schema\":\"model/2\"}".getBytes(StandardCharsets.UTF_8)))
                .hasMessageContaining("schema: 'model/2'");
    }

    @Test
    void aTrainEventRoundTripsThroughJsonWithEveryType() {
        for (TrainEvent.Type type : TrainEvent.Type.values()) {
            TrainEvent e = new TrainEvent(
                    "job-1", type, 40, "trainer-a", Map.of("D/loss", 0.5, "domains", List.of("Male", "Young")), 99L);
            assertThat(TrainEvent.fromJson(e.toJson())).isEqualTo(e);
        }
        assertThat(TrainEvent.Type.DONE.ends()).isTrue();
        assertThat(TrainEvent.Type.LOG.ends()).isFalse();
        assertThatThrownBy(() ->
                        TrainEvent.fromJson("{\"schema\":\"train-event/1\",\"job_id\":\"j\",\"type\":\"exploded\"}"
                                .getBytes(StandardCharsets.UTF_8)))
                .hasMessageContaining("type: 'exploded'");
    }

    @Test
    void aTrainRequestRoundTripsThroughJson() {
        TrainRequest r = new TrainRequest(
                "job-1",
                "alice",
                "demo",
                Map.of("num-iters", "200", "dataset", "synthetic"),
                Map.of("count", 100, "size", 32));
        assertThat(TrainRequest.fromJson(r.toJson())).isEqualTo(r);
        assertThatThrownBy(() -> new TrainRequest("job-1", "a", "demo", Map.of("log-dir", "/tmp"), Map.of()))
                .hasMessageContaining("options.log-dir: set by the trainer");
    }

    @Test
    void aTrainControlRoundTripsThroughJson() {
        TrainControl c = TrainControl.cancel("job-1");
        assertThat(TrainControl.fromRecord(c.jobId(), c.toJson())).isEqualTo(c);
        assertThatThrownBy(() ->
                        TrainControl.fromRecord("job-1", "{\"action\":\"pause\"}".getBytes(StandardCharsets.UTF_8)))
                .hasMessageContaining("action: 'pause', expected cancel");
    }
}
