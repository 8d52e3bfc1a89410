package org.stargan.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.stargan.msg.DomainLabels;
import org.stargan.msg.FaceBox;
import org.stargan.msg.Protocol;
import org.stargan.msg.TranslateRequest;
import org.stargan.msg.TranslateResult;

/**
 * The translation routes on a real HTTP server with an in-memory reply transport instead of Kafka and workers: how
 * each way a call can end becomes an HTTP answer, and the handler chain's order (auth, checks, admission).
 */
@ExtendWith(VertxExtension.class)
class TranslationRoutesTest {
    private static final DomainLabels DOMAINS =
            DomainLabels.withOfficialGroups(List.of("Black_Hair", "Blond_Hair", "Male"), false);

    /** What the fake workers answer to a request (null: nothing, so the call times out). */
    private Function<TranslateRequest, TranslateResult> workers;
    /** Whether queuing fails, as with the broker down. */
    private boolean brokerDown;
    /** How queuing fails when it does. */
    private Throwable sendFailure = new RuntimeException("broker unreachable");
    /** What the broker probe says (null: reachable). */
    private String brokerAway;
    /** Requests the fake transport was handed. */
    private int sent;

    private HttpServer server;
    private HttpClient http;
    private ReplyClient replies;

    @BeforeEach
    void start(Vertx vertx, VertxTestContext ctx) {
        GatewayConfig config =
                new GatewayConfig("127.0.0.1:1", "t.", "gw", 0, 300, 16, 1 << 20, Map.of("k", "translate"));
        replies = new ReplyClient(
                request -> {
                    sent++;
                    if (brokerDown) {
                        return Future.failedFuture(sendFailure);
                    }
                    TranslateResult answer = workers.apply(request);
                    if (answer != null) {
                        vertx.runOnContext(v -> replies.deliver(answer));
                    }
                    return Future.succeededFuture();
                },
                ReplyClient.Timers.of(vertx),
                "gw");
        ModelCatalog catalog = new ModelCatalog();
        catalog.add(new ModelCatalog.Described("default", "v1", new JsonObject().put("version", "v1"), DOMAINS));
        ApiErrors errors = new ApiErrors(new GatewayMetrics());
        AuthHandler auth = new AuthHandler(config.apiKeys(), errors);
        Admission admission = new Admission(config, replies::inFlight, () -> brokerAway);
        Router router = Router.router(vertx);
        new TranslationRoutes(vertx, config, catalog, replies, "replies", "registry", auth, admission, errors)
                .mount(router);
        http = vertx.createHttpClient();
        vertx.createHttpServer().requestHandler(router).listen(0, "127.0.0.1").onComplete(ctx.succeeding(s -> {
            server = s;
            ctx.completeNow();
        }));
    }

    @AfterEach
    void stop(VertxTestContext ctx) {
        server.close().onComplete(ctx.succeedingThenComplete());
    }

    @Test
    void anOkResultIsTheImageWithItsTimings(VertxTestContext ctx) throws Exception {
        workers = r -> TranslateResult.ok(r.id(), png(4), Protocol.PNG, "default", "v1", 1.5, 7.25, 2, "w1");
        post("/v1/translations?target=Male=1", "k")
                .onComplete(ctx.succeeding(res -> ctx.verify(() -> {
                    assertThat(res.response().statusCode()).isEqualTo(200);
                    assertThat(res.response().getHeader("Content-Type")).isEqualTo(Protocol.PNG);
                    assertThat(res.response().getHeader("X-Model-Version")).isEqualTo("v1");
                    assertThat(res.response().getHeader("X-Compute-Ms")).isEqualTo("7.25");
                    assertThat(res.body().getBytes()).isEqualTo(png(4));
                    assertThat(replies.inFlight()).isZero();
                    ctx.completeNow();
                })));
    }

    @Test
    void eachErrorKindGetsItsStatus(VertxTestContext ctx) throws Exception {
        Map<TranslateResult.ErrorKind, Integer> expected = Map.of(
                TranslateResult.ErrorKind.BAD_REQUEST, 400,
                TranslateResult.ErrorKind.MODEL_UNAVAILABLE, 503,
                TranslateResult.ErrorKind.NO_FACE, 422,
                TranslateResult.ErrorKind.INTERNAL, 500);
        var checkpoint = ctx.checkpoint(expected.size());
        for (var e : expected.entrySet()) {
            TranslateResult.ErrorKind kind = e.getKey();
            // One call at a time: each sees its own kind.
            workers = r -> TranslateResult.error(r.id(), kind, "worker says " + kind, "w1");
            Response res = post("/v1/translations?target=Male=1", "k")
                    .toCompletionStage()
                    .toCompletableFuture()
                    .get();
            ctx.verify(() -> {
                assertThat(res.response().statusCode()).as(kind.name()).isEqualTo(e.getValue());
                assertThat(res.body().toString()).contains("worker says " + kind);
                if (kind == TranslateResult.ErrorKind.MODEL_UNAVAILABLE) {
                    assertThat(res.response().getHeader("Retry-After")).isEqualTo("1");
                }
            });
            checkpoint.flag();
        }
    }

    @Test
    void noResultWithinTheDeadlineIs504AndNothingStaysWaiting(VertxTestContext ctx) throws Exception {
        workers = r -> null;
        post("/v1/translations?target=Male=1", "k")
                .onComplete(ctx.succeeding(res -> ctx.verify(() -> {
                    assertThat(res.response().statusCode()).isEqualTo(504);
                    assertThat(res.body().toJsonObject().getString("message")).isEqualTo("no result within 300 ms");
                    assertThat(replies.inFlight()).isZero();
                    ctx.completeNow();
                })));
    }

    @Test
    void aRequestThatCannotBeQueuedIs503(VertxTestContext ctx) throws Exception {
        brokerDown = true;
        post("/v1/translations?target=Male=1", "k")
                .onComplete(ctx.succeeding(res -> ctx.verify(() -> {
                    assertThat(res.response().statusCode()).isEqualTo(503);
                    assertThat(res.response().getHeader("Retry-After")).isEqualTo("1");
                    assertThat(res.body().toJsonObject().getString("message"))
                            .isEqualTo("the request could not be queued: broker unreachable");
                    ctx.completeNow();
                })));
    }

    @Test
    void whileTheBrokerIsUnreachableNothingIsQueuedAndTheAnswerIs503AtOnce(VertxTestContext ctx) throws Exception {
        brokerAway = "the Kafka broker is unreachable (127.0.0.1:9: Connection refused) since 0.5 s ago; retry shortly";
        long start = System.nanoTime();
        post("/v1/translations?target=Male=1", "k")
                .onComplete(ctx.succeeding(res -> ctx.verify(() -> {
                    assertThat(res.response().statusCode()).isEqualTo(503);
                    assertThat(res.response().getHeader("Retry-After")).isEqualTo("1");
                    assertThat(res.body().toJsonObject().getString("message")).isEqualTo(brokerAway);
                    assertThat(sent).as("requests handed to Kafka").isZero();
                    assertThat((System.nanoTime() - start) / 1e6).as("ms").isLessThan(250);
                    ctx.completeNow();
                })));
    }

    @Test
    void aRecordTheBrokerRefusesAsTooLargeIs413NamingTheLimit(VertxTestContext ctx) throws Exception {
        brokerDown = true;
        sendFailure = new org.apache.kafka.common.errors.RecordTooLargeException(
                "The request included a message larger than the max message size the server will accept.");
        post("/v1/translations?target=Male=1", "k")
                .onComplete(ctx.succeeding(res -> ctx.verify(() -> {
                    assertThat(res.response().statusCode()).isEqualTo(413);
                    assertThat(res.body().toJsonObject().getString("message"))
                            .contains("refused the request as too large")
                            .contains("the protocol allows " + Protocol.MAX_VALUE_BYTES + " bytes");
                    ctx.completeNow();
                })));
    }

    @Test
    void checksComeInTheChainsOrder(VertxTestContext ctx) throws Exception {
        workers = r -> TranslateResult.ok(r.id(), png(4), Protocol.PNG, "default", "v1", 0, 0, 1, "w1");
        Future.all(
                        post("/v1/translations?target=Male=1", null),
                        post("/v1/translations?target=Blue_Hair=1", "k"),
                        post("/v1/translations?target=Male=2", "k"),
                        post("/v1/translations?target=Blond_Hair=1,Blond_Hair=0", "k"))
                .onComplete(ctx.succeeding(all -> ctx.verify(() -> {
                    Response noKey = all.resultAt(0);
                    Response unknownDomain = all.resultAt(1);
                    Response outOfRange = all.resultAt(2);
                    assertThat(noKey.response().statusCode()).isEqualTo(401);
                    assertThat(unknownDomain.response().statusCode()).isEqualTo(400);
                    assertThat(unknownDomain.body().toString()).contains("Blue_Hair");
                    assertThat(outOfRange.response().statusCode()).isEqualTo(400);
                    assertThat(outOfRange.body().toString()).contains("Male=2.0 is out of range, expected 0..1");
                    Response twice = all.resultAt(3);
                    assertThat(twice.response().statusCode()).isEqualTo(400);
                    assertThat(twice.body().toString()).contains("domain 'Blond_Hair' is given twice");
                    ctx.completeNow();
                })));
    }

    @Test
    void theGridAsksOncePerDomainAndAnswersOneImage(VertxTestContext ctx) throws Exception {
        workers = r -> TranslateResult.ok(r.id(), png(8), Protocol.PNG, "default", "v1", 0, 0, 1, "w1");
        post("/v1/translations?all=true", "k")
                .onComplete(ctx.succeeding(res -> ctx.verify(() -> {
                    assertThat(res.response().statusCode()).isEqualTo(200);
                    BufferedImage grid = ImageIO.read(
                            new java.io.ByteArrayInputStream(res.body().getBytes()));
                    assertThat(grid.getWidth()).as("input + 3 domains").isEqualTo(4 * 8);
                    assertThat(grid.getHeight()).isEqualTo(8);
                    ctx.completeNow();
                })));
    }

    @Test
    void anImageSentAsCurlsDefaultFormTypeIsTakenAsTheImage(VertxTestContext ctx) throws Exception {
        // curl --data-binary @face.png without -H declares application/x-www-form-urlencoded: the bytes decide.
        byte[][] received = new byte[1][];
        workers = r -> {
            received[0] = r.image();
            return TranslateResult.ok(r.id(), png(4), Protocol.PNG, "default", "v1", 0, 0, 1, "w1");
        };
        post("/v1/translations?target=Male=1", "k", "application/x-www-form-urlencoded")
                .onComplete(ctx.succeeding(res -> ctx.verify(() -> {
                    assertThat(res.response().statusCode())
                            .as(res.body().toString())
                            .isEqualTo(200);
                    assertThat(received[0]).isEqualTo(png(16));
                    ctx.completeNow();
                })));
    }

    @Test
    void photoParametersBecomeTheRequestsHeadersAndTheAnswerIsWhatTheWorkerMade(VertxTestContext ctx) throws Exception {
        List<Map<String, String>> headers = new java.util.ArrayList<>();
        List<FaceBox> boxes = List.of(new FaceBox(10, 12, 30, 31), new FaceBox(50, 8, 20, 21));
        workers = r -> {
            headers.add(r.headers());
            // A pasted-back JPEG photo: the worker answers in the photo's format, at the photo's size.
            return TranslateResult.ok(r.id(), jpeg(40), Protocol.JPEG, "default", "v1", 0, 3, 1, "w1")
                    .withFaces(r.photo().crop() == org.stargan.msg.PhotoOptions.Crop.FACE ? boxes : List.of());
        };
        Future.all(
                        post("/v1/translations?target=Male=1&crop=face&paste=true&faces=all", "k"),
                        post("/v1/translations?target=Male=1", "k"),
                        post("/v1/translations?target=Male=1&crop=none&paste=false", "k"),
                        post("/v1/translations?target=Male=1&crop=face", "k", Protocol.PNG, "application/json"))
                .onComplete(ctx.succeeding(all -> ctx.verify(() -> {
                    Response pasted = all.resultAt(0);
                    assertThat(pasted.response().statusCode())
                            .as(pasted.body().toString())
                            .isEqualTo(200);
                    assertThat(pasted.response().getHeader("Content-Type")).isEqualTo(Protocol.JPEG);
                    assertThat(pasted.response().getHeader("X-Face-Boxes")).isEqualTo("10,12,30,31;50,8,20,21");
                    assertThat(pasted.body().getBytes()).isEqualTo(jpeg(40));
                    Response plain = all.resultAt(1);
                    assertThat(plain.response().getHeader("X-Face-Boxes")).isNull();
                    JsonObject json = ((Response) all.resultAt(3)).body().toJsonObject();
                    assertThat(json.getString("content_type")).isEqualTo(Protocol.JPEG);
                    assertThat(json.getJsonArray("face_boxes").getJsonObject(1))
                            .isEqualTo(new JsonObject()
                                    .put("x", 50)
                                    .put("y", 8)
                                    .put("width", 20)
                                    .put("height", 21));
                    assertThat(headers).hasSize(4);
                    Map<String, String> face = headers.stream()
                            .filter(h -> "all".equals(h.get(Protocol.FACES)))
                            .findFirst()
                            .orElseThrow();
                    assertThat(face)
                            .containsEntry(Protocol.CROP, "face")
                            .containsEntry(Protocol.PASTE, "true")
                            // No type asked for: a pasted-back answer keeps the photo's own format.
                            .doesNotContainKey(Protocol.ACCEPT);
                    assertThat(headers.stream().filter(h -> "none".equals(h.get(Protocol.CROP))))
                            .singleElement()
                            .satisfies(h -> assertThat(h)
                                    .doesNotContainKey(Protocol.PASTE)
                                    .containsEntry(Protocol.ACCEPT, Protocol.PNG));
                    assertThat(headers.stream()
                                    .filter(h -> !h.containsKey(Protocol.CROP)
                                            && !h.containsKey(Protocol.PASTE)
                                            && !h.containsKey(Protocol.FACES)))
                            .as("requests without photo parameters: the defaults, no photo headers")
                            .hasSize(1);
                    ctx.completeNow();
                })));
    }

    @Test
    void badPhotoParametersAre400NamingTheParameterTheValueAndWhatIsExpected(VertxTestContext ctx) throws Exception {
        workers = r -> TranslateResult.ok(r.id(), png(4), Protocol.PNG, "default", "v1", 0, 0, 1, "w1");
        Future.all(List.of(
                        post("/v1/translations?target=Male=1&crop=eyes", "k"),
                        post("/v1/translations?target=Male=1&paste=yes", "k"),
                        post("/v1/translations?target=Male=1&faces=3", "k"),
                        post("/v1/translations?target=Male=1&paste=true", "k", Protocol.PNG, Protocol.NPY),
                        post("/v1/translations?all=true&crop=face", "k")))
                .onComplete(ctx.succeeding(all -> ctx.verify(() -> {
                    List<String> expected = List.of(
                            "crop: 'eyes', expected face, center or none",
                            "paste: 'yes', expected true or false",
                            "faces: '3', expected largest or all",
                            "Accept: 'application/x-npy' with paste=true, expected image/png or image/jpeg",
                            "crop, paste or faces with all=true");
                    for (int i = 0; i < expected.size(); i++) {
                        Response res = all.resultAt(i);
                        assertThat(res.response().statusCode())
                                .as(expected.get(i))
                                .isEqualTo(400);
                        assertThat(res.body().toJsonObject().getString("message"))
                                .startsWith(expected.get(i));
                    }
                    assertThat(sent).as("requests handed to Kafka").isZero();
                    ctx.completeNow();
                })));
    }

    @Test
    void noFaceIs422InTheParametersWords(VertxTestContext ctx) throws Exception {
        workers = r -> TranslateResult.error(
                r.id(),
                TranslateResult.ErrorKind.NO_FACE,
                "no face found in the 600×400 photo (stargan.crop=face); send a photo with a frontal face at least"
                        + " 37 px wide, or choose stargan.crop=center to translate the photo without face detection",
                "w1");
        post("/v1/translations?target=Male=1&crop=face", "k")
                .onComplete(ctx.succeeding(res -> ctx.verify(() -> {
                    assertThat(res.response().statusCode()).isEqualTo(422);
                    JsonObject error = res.body().toJsonObject();
                    assertThat(error.getString("error")).isEqualTo("no_face");
                    assertThat(error.getString("message"))
                            .startsWith("no face found in the 600×400 photo (crop=face)")
                            .contains("or choose crop=center")
                            .doesNotContain("stargan.");
                    ctx.completeNow();
                })));
    }

    private record Response(HttpClientResponse response, Buffer body) {}

    private Future<Response> post(String uri, String key) throws Exception {
        return post(uri, key, Protocol.PNG);
    }

    private Future<Response> post(String uri, String key, String contentType) throws Exception {
        return post(uri, key, contentType, null);
    }

    private Future<Response> post(String uri, String key, String contentType, String accept) throws Exception {
        byte[] body = png(16);
        return http.request(HttpMethod.POST, server.actualPort(), "127.0.0.1", uri)
                .compose(req -> {
                    req.putHeader("Content-Type", contentType);
                    if (accept != null) {
                        req.putHeader("Accept", accept);
                    }
                    if (key != null) {
                        req.putHeader("X-API-Key", key);
                    }
                    return req.send(Buffer.buffer(body))
                            .compose(res -> res.body().map(b -> new Response(res, b)));
                });
    }

    private static byte[] jpeg(int side) {
        BufferedImage img = new BufferedImage(side, side, BufferedImage.TYPE_INT_RGB);
        img.setRGB(1, 2, 0x3366ff);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            ImageIO.write(img, "jpg", out);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    private static byte[] png(int side) {
        BufferedImage img = new BufferedImage(side, side, BufferedImage.TYPE_INT_RGB);
        img.setRGB(0, 0, 0xff8800);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            ImageIO.write(img, "png", out);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return out.toByteArray();
    }
}
