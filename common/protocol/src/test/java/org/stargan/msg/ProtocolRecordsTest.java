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
