package org.stargan.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.DeploymentOptions;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
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
import org.stargan.msg.ModelAnnouncement;

/** The gateway against the real broker and a real inference worker. */
@ExtendWith(KafkaBroker.class)
class GatewayTest {
    @TempDir
    Path tmp;

    private Vertx vertx;
    private String bootstrap;
    private Topics topics;
    private final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(java.time.Duration.ofSeconds(10))
            .build();

    @BeforeEach
    void start(KafkaBroker.Cluster kafka) {
        vertx = Vertx.vertx();
        bootstrap = kafka.bootstrapServers();
        topics = new Topics("gw" + UUID.randomUUID().toString().substring(0, 8) + ".");
    }

    @AfterEach
    void stop() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }

    private int gateway(Map<String, String> keys, long timeoutMs, int maxInFlight) throws Exception {
        return gateway(config(keys, timeoutMs, maxInFlight));
    }

    private GatewayConfig config(Map<String, String> keys, long timeoutMs, int maxInFlight) {
        return config(bootstrap, keys, timeoutMs, maxInFlight);
    }

    private GatewayConfig config(String bootstrapServers, Map<String, String> keys, long timeoutMs, int maxInFlight) {
        return new GatewayConfig(
                bootstrapServers,
                topics.prefix(),
                "gw-" + UUID.randomUUID().toString().substring(0, 6),
                0,
                timeoutMs,
                maxInFlight,
                64 << 10,
                keys);
    }

    private int gateway(GatewayConfig c) throws Exception {
        GatewayVerticle g = new GatewayVerticle();
        vertx.deployVerticle(g, new DeploymentOptions().setConfig(c.toJson()))
                .toCompletionStage()
                .toCompletableFuture()
                .get(60, TimeUnit.SECONDS);
        return g.port();
    }

    /** Announces the tiny generator again as {@code name}, this time with domain names, so the gateway can check targets. */
    private void announceNamedModel(String name, String version) throws Exception {
        Path named = tmp.resolve(name + "-G.safetensors");
        var tiny = org.stargan.ckpt.GeneratorCheckpoint.load(tmp.resolve("G.ckpt"));
        new org.stargan.ckpt.GeneratorCheckpoint(
                        tiny.config(),
                        tiny.weights(),
                        new org.stargan.ckpt.ModelInfo(
                                java.util.List.of("Black_Hair", "Blond_Hair", "Male"),
                                java.util.List.of(java.util.List.of("Black_Hair", "Blond_Hair")),
                                32,
                                "test",
                                1,
                                ""),
                        "safetensors")
                .save(named);
        try (KafkaProducer<String, byte[]> p = new KafkaProducer<>(
                Map.of("bootstrap.servers", bootstrap), new StringSerializer(), new ByteArraySerializer())) {
            p.send(new ProducerRecord<>(
                            topics.models(),
                            name,
                            new ModelAnnouncement(name, version, named.toUri().toString(), 2).toJson()))
                    .get();
        }
    }

    /** Waits until {@code model} is listed by the gateway. */
    private void awaitModel(int port, String model, String... headers) throws Exception {
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (!get(port, "/v1/models", headers).body().contains("\"name\":\"" + model + "\"")
                && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
    }

    private void announceModel(boolean withWorker) throws Exception {
        Path ckpt = tmp.resolve("G.ckpt");
        try (var in = getClass().getResourceAsStream("/parity/tiny-G.zip.ckpt")) {
            Files.copy(in, ckpt);
        }
        if (withWorker) {
            InferenceConfig ic = new InferenceConfig(
                    bootstrap, topics.prefix(), "inf-" + topics.prefix(), "w1", "cpu", 4, 5, 64, null, -1);
            vertx.deployVerticle(new InferenceVerticle(), new DeploymentOptions().setConfig(ic.toJson()))
                    .toCompletionStage()
                    .toCompletableFuture()
                    .get(60, TimeUnit.SECONDS);
        }
        try (KafkaProducer<String, byte[]> p = new KafkaProducer<>(
                Map.of("bootstrap.servers", bootstrap), new StringSerializer(), new ByteArraySerializer())) {
            p.send(new ProducerRecord<>(
                            topics.models(),
                            "default",
                            new ModelAnnouncement("default", "v1", ckpt.toUri().toString(), 1).toJson()))
                    .get();
        }
    }

    private static byte[] png() throws Exception {
        var img = new java.awt.image.BufferedImage(32, 32, java.awt.image.BufferedImage.TYPE_INT_RGB);
        img.setRGB(3, 4, 0xffcc00);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(img, "png", out);
        return out.toByteArray();
    }

    private HttpResponse<byte[]> post(int port, String path, String type, byte[] body, String... headers)
            throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (type != null) {
            b.header("Content-Type", type);
        }
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    private HttpResponse<String> get(int port, String path, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path));
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Polls until the gateway knows the announced model. */
    private void awaitReady(int port) throws Exception {
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (System.nanoTime() < deadline && get(port, "/health/ready").statusCode() != 200) {
            Thread.sleep(100);
        }
        assertThat(get(port, "/health/ready").statusCode()).isEqualTo(200);
    }

    @Test
    void translationsComeBackThroughKafkaAsImagesOrJson() throws Exception {
        announceModel(true);
        int port = gateway(Map.of(), 30_000, 64);
        awaitReady(port);
        HttpResponse<byte[]> image = post(port, "/v1/translations?target=domain1=1", "image/png", png());
        assertThat(image.statusCode()).as(new String(image.body())).isEqualTo(200);
        assertThat(image.headers().firstValue("Content-Type")).contains("image/png");
        assertThat(image.headers().firstValue("X-Model-Version")).contains("v1");
        assertThat(ImageIO.read(new ByteArrayInputStream(image.body())).getWidth())
                .isEqualTo(128);
        // A browser asks for gzip on every request: text is compressed, an image (compressed already) is not.
        HttpResponse<byte[]> asBrowser = post(
                port, "/v1/translations?target=domain1=1", "image/png", png(), "Accept-Encoding", "gzip, deflate, br");
        assertThat(asBrowser.headers().firstValue("Content-Encoding")).isEmpty();
        assertThat(ImageIO.read(new ByteArrayInputStream(asBrowser.body())).getWidth())
                .isEqualTo(128);
        assertThat(get(port, "/openapi.yaml", "Accept-Encoding", "gzip")
                        .headers()
                        .firstValue("Content-Encoding"))
                .contains("gzip");

        HttpResponse<byte[]> json =
                post(port, "/v1/translations?labels=1,0,0.5", "image/png", png(), "Accept", "application/json");
        // The same as a form upload.
        String boundary = "----stargan" + System.nanoTime();
        ByteArrayOutputStream form = new ByteArrayOutputStream();
        form.writeBytes(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"target\"\r\n\r\ndomain1=1\r\n--"
                        + boundary
                        + "\r\nContent-Disposition: form-data; name=\"image\"; filename=\"face.png\"\r\nContent-Type: image/png\r\n\r\n")
                .getBytes());
        form.writeBytes(png());
        form.writeBytes(("\r\n--" + boundary + "--\r\n").getBytes());
        HttpResponse<byte[]> multipart =
                post(port, "/v1/translations", "multipart/form-data; boundary=" + boundary, form.toByteArray());
        assertThat(multipart.statusCode()).as(new String(multipart.body())).isEqualTo(200);
        assertThat(ImageIO.read(new ByteArrayInputStream(multipart.body())).getWidth())
                .isEqualTo(128);
        JsonObject j = new JsonObject(new String(json.body()));
        assertThat(j.getString("model_version")).isEqualTo("v1");
        assertThat(j.getDouble("compute_ms")).isPositive();
        assertThat(ImageIO.read(
                        new ByteArrayInputStream(java.util.Base64.getDecoder().decode(j.getString("image_base64")))))
                .isNotNull();

        // The OpenAPI document describes exactly the routes that exist.
        var doc = new com.fasterxml.jackson.databind.ObjectMapper(
                        new com.fasterxml.jackson.dataformat.yaml.YAMLFactory())
                .readTree(get(port, "/openapi.yaml").body());
        java.util.Set<String> paths = new java.util.TreeSet<>();
        doc.path("paths").fieldNames().forEachRemaining(paths::add);
        assertThat(paths)
                .containsExactlyInAnyOrder(
                        "/v1/translations",
                        "/v1/stream",
                        "/v1/models",
                        "/v1/training-jobs",
                        "/v1/training-jobs/schema",
                        "/v1/training-jobs/{id}",
                        "/v1/training-jobs/{id}/events",
                        "/v1/training-jobs/{id}/artifacts/{path}",
                        "/health/live",
                        "/health/ready",
                        "/metrics",
                        "/openapi.yaml");
        for (String p : paths) {
            if (!p.contains("{")
                    && !p.equals("/v1/stream")
                    && doc.path("paths").path(p).has("get")) {
                assertThat(get(port, p).statusCode()).as("GET %s exists", p).isNotEqualTo(404);
            }
        }
        // all=true: the official test grid as one image, from a model whose checkpoint names its domains.
        announceNamedModel("named", "n1");
        long until = System.nanoTime() + 30_000_000_000L;
        HttpResponse<byte[]> grid = post(port, "/v1/translations?all=true&model=named", "image/png", png());
        while (grid.statusCode() != 200 && System.nanoTime() < until) {
            Thread.sleep(200);
            grid = post(port, "/v1/translations?all=true&model=named", "image/png", png());
        }
        assertThat(grid.statusCode()).as(new String(grid.body())).isEqualTo(200);
        var gridImage = ImageIO.read(new ByteArrayInputStream(grid.body()));
        assertThat(gridImage.getWidth()).isEqualTo(4 * 32);
        assertThat(gridImage.getHeight()).isEqualTo(32);
        HttpResponse<byte[]> unnamed = post(port, "/v1/translations?all=true", "image/png", png());
        assertThat(new String(unnamed.body())).contains("domains of model 'default' are unknown");

        JsonObject models = new JsonObject(get(port, "/v1/models").body());
        assertThat(models.getJsonArray("models").getJsonObject(0).getString("latest"))
                .isEqualTo("v1");
    }

    @Test
    void aLiveEditImageLargerThanOneDefaultWebSocketFrameIsTranslated() throws Exception {
        announceModel(true);
        int port =
                gateway(new GatewayConfig(bootstrap, topics.prefix(), "gw-ws-large", 0, 30_000, 64, 1 << 20, Map.of()));
        awaitReady(port);
        // Random pixels do not compress: well over Vert.x's default 64 KiB frame, as a browser sends it, in one frame.
        var img = new java.awt.image.BufferedImage(200, 200, java.awt.image.BufferedImage.TYPE_INT_RGB);
        java.util.Random random = new java.util.Random(7);
        for (int y = 0; y < 200; y++) {
            for (int x = 0; x < 200; x++) {
                img.setRGB(x, y, random.nextInt(1 << 24));
            }
        }
        ByteArrayOutputStream large = new ByteArrayOutputStream();
        ImageIO.write(img, "png", large);
        assertThat(large.size()).isGreaterThan(100 << 10);
        java.util.concurrent.CompletableFuture<String> answer = new java.util.concurrent.CompletableFuture<>();
        java.net.http.WebSocket ws = http.newWebSocketBuilder()
                .buildAsync(
                        URI.create("ws://127.0.0.1:" + port + "/v1/stream"), new java.net.http.WebSocket.Listener() {
                            @Override
                            public java.util.concurrent.CompletionStage<?> onText(
                                    java.net.http.WebSocket w, CharSequence data, boolean last) {
                                answer.complete(data.toString());
                                return null;
                            }

                            @Override
                            public java.util.concurrent.CompletionStage<?> onClose(
                                    java.net.http.WebSocket w, int status, String reason) {
                                answer.complete("closed " + status + " " + reason);
                                return null;
                            }
                        })
                .get(10, TimeUnit.SECONDS);
        ws.sendBinary(java.nio.ByteBuffer.wrap(large.toByteArray()), true).get(10, TimeUnit.SECONDS);
        ws.sendText("{\"seq\": 1, \"target\": \"domain1=1\"}", true).get(10, TimeUnit.SECONDS);
        assertThat(answer.get(60, TimeUnit.SECONDS)).contains("\"seq\":1").contains("model_version");
    }

    @Test
    void liveEditsOverTheWebSocketKeepOnlyTheLatestWhileOneIsInFlight() throws Exception {
        announceModel(true);
        int port = gateway(Map.of(), 30_000, 64);
        awaitReady(port);
        java.util.List<String> texts = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
        java.util.List<byte[]> images = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
        java.util.concurrent.CountDownLatch last = new java.util.concurrent.CountDownLatch(1);
        java.net.http.WebSocket ws = http.newWebSocketBuilder()
                .buildAsync(
                        URI.create("ws://127.0.0.1:" + port + "/v1/stream"), new java.net.http.WebSocket.Listener() {
                            private final ByteArrayOutputStream binary = new ByteArrayOutputStream();

                            @Override
                            public java.util.concurrent.CompletionStage<?> onText(
                                    java.net.http.WebSocket w, CharSequence data, boolean lastPart) {
                                texts.add(data.toString());
                                if (data.toString().contains("\"seq\":5")) {
                                    last.countDown();
                                }
                                w.request(1);
                                return null;
                            }

                            @Override
                            public java.util.concurrent.CompletionStage<?> onBinary(
                                    java.net.http.WebSocket w, java.nio.ByteBuffer data, boolean lastPart) {
                                byte[] b = new byte[data.remaining()];
                                data.get(b);
                                binary.writeBytes(b);
                                if (lastPart) {
                                    images.add(binary.toByteArray());
                                    binary.reset();
                                }
                                w.request(1);
                                return null;
                            }
                        })
                .get(10, TimeUnit.SECONDS);
        ws.sendText("{\"seq\": 0, \"target\": \"domain1=1\"}", true).get();
        ws.sendBinary(java.nio.ByteBuffer.wrap(png()), true).get();
        for (int seq = 1; seq <= 5; seq++) {
            ws.sendText("{\"seq\": " + seq + ", \"target\": \"domain1=" + (seq / 5.0) + "\"}", true)
                    .get();
        }
        assertThat(last.await(60, TimeUnit.SECONDS))
                .as("answer to the last edit")
                .isTrue();
        assertThat(get(port, "/metrics").body()).containsPattern("(?m)^stargan_gateway_websocket_sessions 1\\.0$");
        Thread.sleep(300);
        // Edit 0 came before the image; edits 1..5 arrive while 1 runs, so at least one is replaced by a later one.
        assertThat(texts.get(0)).contains("\"seq\":0").contains("send the image");
        java.util.List<String> answered =
                texts.stream().filter(t -> t.contains("model_version")).toList();
        assertThat(answered.size()).isBetween(2, 4);
        assertThat(answered.get(answered.size() - 1)).contains("\"seq\":5");
        assertThat(images).hasSize(answered.size());
        assertThat(ImageIO.read(new ByteArrayInputStream(images.get(0))).getWidth())
                .isEqualTo(128);
        ws.sendClose(java.net.http.WebSocket.NORMAL_CLOSURE, "done").get();
    }

    @Test
    void badRequestsGetTheRightStatusAndNameTheField() throws Exception {
        announceModel(true);
        int port = gateway(Map.of("u-key", "translate", "a-key", "admin"), 30_000, 64);
        awaitReady(port);
        assertThat(post(port, "/v1/translations?target=domain1=1", "image/png", png())
                        .statusCode())
                .isEqualTo(401);
        HttpResponse<byte[]> gif =
                post(port, "/v1/translations?target=domain1=1", "image/gif", png(), "X-API-Key", "u-key");
        assertThat(gif.statusCode()).isEqualTo(415);
        assertThat(new String(gif.body())).contains("Content-Type: 'image/gif'");
        HttpResponse<byte[]> noTarget = post(port, "/v1/translations", "image/png", png(), "X-API-Key", "u-key");
        assertThat(noTarget.statusCode()).isEqualTo(400);
        assertThat(new JsonObject(new String(noTarget.body())).getString("message"))
                .startsWith("target or labels");
        HttpResponse<byte[]> tooLarge =
                post(port, "/v1/translations?target=domain1=1", "image/png", new byte[200 << 10], "X-API-Key", "u-key");
        assertThat(tooLarge.statusCode()).isEqualTo(413);
        assertThat(new JsonObject(new String(tooLarge.body())).getString("message"))
                .startsWith("body: larger than " + (64 << 10) + " bytes, this gateway's limit");
        HttpResponse<byte[]> unknown =
                post(port, "/v1/translations?target=Wings=1", "image/png", png(), "Authorization", "Bearer u-key");
        assertThat(unknown.statusCode()).isEqualTo(400);
        assertThat(new String(unknown.body())).contains("unknown domain 'Wings'");
        HttpResponse<byte[]> garbage =
                post(port, "/v1/translations?target=domain1=1", "image/png", "junk".getBytes(), "X-API-Key", "u-key");
        assertThat(garbage.statusCode()).isEqualTo(415);
        // A user key cannot train.
        assertThat(post(port, "/v1/training-jobs", "application/json", "{}".getBytes(), "X-API-Key", "u-key")
                        .statusCode())
                .isEqualTo(403);
        assertThat(get(port, "/v1/nothing").statusCode()).isEqualTo(404);
        // Browsers cannot set headers on a WebSocket: /v1/stream also takes ?key=, and only a known one.
        String stream = "ws://127.0.0.1:" + port + "/v1/stream";
        assertThat(handshake(stream)).isEqualTo(401);
        assertThat(handshake(stream + "?key=wrong")).isEqualTo(401);
        assertThat(handshake(stream + "?key=u-key")).isEqualTo(101);
        // Elsewhere the key stays in headers, out of URLs and logs.
        assertThat(get(port, "/v1/models?key=u-key").statusCode()).isEqualTo(401);
    }

    /** The status of a WebSocket handshake: 101 when it opened (then closed again), else the HTTP status refused with. */
    private int handshake(String uri) throws Exception {
        try {
            http.newWebSocketBuilder()
                    .buildAsync(URI.create(uri), new java.net.http.WebSocket.Listener() {})
                    .get(10, TimeUnit.SECONDS)
                    .sendClose(java.net.http.WebSocket.NORMAL_CLOSURE, "done")
                    .get(10, TimeUnit.SECONDS);
            return 101;
        } catch (java.util.concurrent.ExecutionException e) {
            for (Throwable t = e; t != null; t = t.getCause()) {
                if (t instanceof java.net.http.WebSocketHandshakeException h) {
                    return h.getResponse().statusCode();
                }
            }
            throw e;
        }
    }

    @Test
    void aJobsFilesAreServedToAdminsFromInsideItsDirectoryOnly() throws Exception {
        Path store = tmp.resolve("store");
        Path samples = Files.createDirectories(store.resolve("jobs/j1/samples"));
        var grid = new java.awt.image.BufferedImage(48, 16, java.awt.image.BufferedImage.TYPE_INT_RGB);
        ImageIO.write(grid, "jpg", samples.resolve("10-images.jpg").toFile());
        Files.write(store.resolve("outside.png"), png());
        Files.createSymbolicLink(store.resolve("jobs/j1/escape.png"), store.resolve("outside.png"));
        int port = gateway(config(Map.of("u-key", "translate", "a-key", "admin"), 30_000, 8)
                .withArtifactRoot(store.toString()));
        String base = "/v1/training-jobs/j1/artifacts/";
        HttpResponse<byte[]> ok = http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + base + "samples/10-images.jpg"))
                        .header("X-API-Key", "a-key")
                        .build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertThat(ok.statusCode()).isEqualTo(200);
        assertThat(ok.headers().firstValue("Content-Type")).contains("image/jpeg");
        assertThat(ok.body()).isEqualTo(Files.readAllBytes(samples.resolve("10-images.jpg")));
        assertThat(get(port, base + "samples/10-images.jpg").statusCode()).isEqualTo(401);
        assertThat(get(port, base + "samples/10-images.jpg", "X-API-Key", "u-key")
                        .statusCode())
                .isEqualTo(403);
        // An encoded slash survives the router's dot-segment removal and reaches the lookup as '../../outside.png'.
        HttpResponse<String> dotDot = get(port, base + "..%2F..%2F..%2Foutside.png", "X-API-Key", "a-key");
        assertThat(dotDot.statusCode()).as(dotDot.body()).isEqualTo(400);
        assertThat(dotDot.body()).contains("contains '..'");
        // A malformed escape: the router cannot decode the path; answered in JSON like every other refusal.
        // (Sent over a plain socket: java.net.URI refuses to build such a URL.)
        String badEscape;
        try (java.net.Socket raw = new java.net.Socket("127.0.0.1", port)) {
            raw.getOutputStream()
                    .write(("GET " + base + "%ZZ HTTP/1.1\r\nHost: 127.0.0.1\r\nX-API-Key: a-key\r\n"
                                    + "Connection: close\r\n\r\n")
                            .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            badEscape = new String(raw.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        }
        assertThat(badEscape).startsWith("HTTP/1.1 400").contains("application/json");
        JsonObject badEscapeJson = new JsonObject(badEscape.substring(badEscape.indexOf("\r\n\r\n") + 4));
        assertThat(badEscapeJson.getString("error")).isEqualTo("bad_request");
        assertThat(badEscapeJson.getString("message")).contains("%ZZ");
        assertThat(get(port, base + "escape.png", "X-API-Key", "a-key").statusCode())
                .isEqualTo(403);
        assertThat(get(port, base + "samples/20-images.jpg", "X-API-Key", "a-key")
                        .statusCode())
                .isEqualTo(404);
        // Without an artifact store the route says so.
        int bare = gateway(Map.of("a-key", "admin"), 30_000, 8);
        HttpResponse<String> none = get(bare, base + "samples/10-images.jpg", "X-API-Key", "a-key");
        assertThat(none.statusCode()).isEqualTo(404);
        assertThat(none.body()).contains("no artifact store");
    }

    @Test
    void aGatewayReachableFromOutsideRefusesToStartWithoutKeys() throws Exception {
        GatewayConfig open = new GatewayConfig(bootstrap, topics.prefix(), "public", 0, 30_000, 8, 1 << 20, Map.of());
        var failed = vertx.deployVerticle(
                new GatewayVerticle(),
                new DeploymentOptions().setConfig(open.toJson().put("host", "0.0.0.0")));
        org.assertj.core.api.Assertions.assertThatThrownBy(
                        () -> failed.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS))
                .hasMessageContaining("refusing to listen on 0.0.0.0 without API keys");
        org.assertj.core.api.Assertions.assertThatThrownBy(
                        () -> Main.parse(new String[] {"--host", "0.0.0.0", "--api-keys", "*:translate"}, Map.of()))
                .hasMessageContaining("refusing to listen on 0.0.0.0");
        // With a key file it starts, and the file's keys (hashes only) are what it knows.
        String key = ApiKeys.newKey();
        Path file = Files.writeString(tmp.resolve("keys"), ApiKeys.fileLine("ops", key, ApiKeys.Scope.ADMIN) + "\n");
        GatewayConfig c = Main.parse(
                new String[] {
                    "--host",
                    "0.0.0.0",
                    "--api-keys-file",
                    file.toString(),
                    "--port",
                    "0",
                    "--bootstrap",
                    bootstrap,
                    "--topic-prefix",
                    topics.prefix()
                },
                Map.of());
        assertThat(c.apiKeys().holder(key).name()).isEqualTo("ops");
        assertThat(c.toJson().encode()).doesNotContain(key);
        int port = gateway(c);
        assertThat(get(port, "/v1/training-jobs").statusCode()).isEqualTo(401);
        assertThat(get(port, "/v1/training-jobs", "X-API-Key", key).statusCode())
                .isEqualTo(200);
    }

    @Test
    void withoutAWorkerRequestsTimeOutAndTheInFlightBoundAnswers429() throws Exception {
        announceModel(false);
        int port = gateway(Map.of(), 1500, 1);
        awaitModel(port, "default");
        // Connected, a model announced, but nobody to run it: not ready, and the probe says why.
        long deadline = System.nanoTime() + 30_000_000_000L;
        HttpResponse<String> notReady = get(port, "/health/ready");
        while (!notReady.body().contains("no inference worker") && System.nanoTime() < deadline) {
            Thread.sleep(100);
            notReady = get(port, "/health/ready");
        }
        assertThat(notReady.statusCode()).isEqualTo(503);
        assertThat(notReady.body()).contains("no inference worker is consuming " + topics.translateRequests());
        var first = http.sendAsync(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/translations?target=domain1=1"))
                        .header("Content-Type", "image/png")
                        .POST(HttpRequest.BodyPublishers.ofByteArray(png()))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        Thread.sleep(300);
        HttpResponse<byte[]> second = post(port, "/v1/translations?target=domain1=1", "image/png", png());
        assertThat(second.statusCode()).isEqualTo(429);
        assertThat(second.headers().firstValue("Retry-After")).contains("1");
        HttpResponse<String> timedOut = first.get(10, TimeUnit.SECONDS);
        assertThat(timedOut.statusCode()).isEqualTo(504);
        assertThat(timedOut.body()).contains("no result within 1500 ms");
        // A client that hangs up while waiting gives its slot back at once (not after the deadline).
        byte[] image = png();
        try (java.net.Socket socket = new java.net.Socket("127.0.0.1", port)) {
            socket.getOutputStream()
                    .write(
                            ("POST /v1/translations?target=domain1=1 HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: image/png\r\n"
                                            + "Content-Length: " + image.length + "\r\n\r\n")
                                    .getBytes());
            socket.getOutputStream().write(image);
            socket.getOutputStream().flush();
            Thread.sleep(300);
        }
        Thread.sleep(200);
        HttpResponse<byte[]> afterHangUp = post(port, "/v1/translations?target=domain1=1", "image/png", png());
        assertThat(afterHangUp.statusCode()).as(new String(afterHangUp.body())).isEqualTo(504);
    }

    /**
     * The broker probe connects to the first bootstrap address every 250 ms, unless a request was acknowledged within
     * that time: here the first address is a listener that counts connections (and closes them; Kafka's clients then
     * use the real broker), so the probes are counted with and without traffic.
     */
    @Test
    void underTrafficTheBrokerProbeOpensNoConnection() throws Exception {
        announceModel(false);
        AtomicInteger connections = new AtomicInteger();
        try (ServerSocket counter = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            Thread accepting = new Thread(() -> {
                while (!counter.isClosed()) {
                    try (Socket s = counter.accept()) {
                        connections.incrementAndGet();
                    } catch (IOException closed) {
                        // the test is over
                    }
                }
            });
            accepting.setDaemon(true);
            accepting.start();
            // Requests time out after 500 ms: about 10 wait at a time, within one client's share of the in-flight bound
            // (16).
            int port = gateway(config("127.0.0.1:" + counter.getLocalPort() + "," + bootstrap, Map.of(), 500, 64));
            awaitModel(port, "default");
            connections.set(0);
            Thread.sleep(1500);
            int idle = connections.get();
            assertThat(idle).as("probe connections in 1.5 s without traffic").isGreaterThanOrEqualTo(3);

            // A request every 50 ms (no worker: each times out, but the broker acknowledges it at once).
            byte[] image = png();
            var sent = new ArrayList<CompletableFuture<HttpResponse<Void>>>();
            long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(2300);
            int underTraffic = -1;
            long countFrom = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(500);
            while (System.nanoTime() < end) {
                sent.add(http.sendAsync(
                        HttpRequest.newBuilder(
                                        URI.create("http://127.0.0.1:" + port + "/v1/translations?target=domain1=1"))
                                .header("Content-Type", "image/png")
                                .POST(HttpRequest.BodyPublishers.ofByteArray(image))
                                .build(),
                        HttpResponse.BodyHandlers.discarding()));
                if (underTraffic < 0 && System.nanoTime() >= countFrom) {
                    underTraffic = connections.get();
                }
                Thread.sleep(50);
            }
            int probesUnderTraffic = connections.get() - underTraffic;
            assertThat(probesUnderTraffic)
                    .as("probe connections in the last 1.8 s of traffic (%d in 1.5 s without)", idle)
                    .isLessThanOrEqualTo(1);
            for (var f : sent) {
                assertThat(f.get(10, TimeUnit.SECONDS).statusCode())
                        .as("queued, then no result in time")
                        .isEqualTo(504);
            }
        }
    }

    @Test
    void trainingJobsAreQueuedListedStreamedAndCancelled() throws Exception {
        announceModel(false);
        int port = gateway(Map.of("a-key", "admin"), 30_000, 8);
        HttpResponse<byte[]> bad = post(
                port,
                "/v1/training-jobs",
                "application/json",
                "{\"options\": {\"log-dir\": \"/etc\"}}".getBytes(),
                "X-API-Key",
                "a-key");
        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(new String(bad.body())).contains("options.log-dir");
        HttpResponse<byte[]> created = post(
                port,
                "/v1/training-jobs",
                "application/json",
                "{\"job_id\": \"j7\", \"options\": {\"num-iters\": 10}, \"synthetic\": {\"count\": 20, \"size\": 16}}"
                        .getBytes(),
                "X-API-Key",
                "a-key");
        assertThat(created.statusCode()).isEqualTo(202);
        // Known at once after its 202 (the gateway answers once it has read the job's first event back).
        HttpResponse<String> job = get(port, "/v1/training-jobs/j7", "X-API-Key", "a-key");
        assertThat(job.statusCode()).as(job.body()).isEqualTo(200);
        assertThat(new JsonObject(job.body()).getString("state")).isEqualTo("queued");
        for (int i = 0; i < 10; i++) {
            String id = "k" + i;
            HttpResponse<byte[]> another = post(
                    port,
                    "/v1/training-jobs",
                    "application/json",
                    ("{\"job_id\": \"" + id + "\", \"options\": {\"num-iters\": 10}, \"synthetic\": {\"count\": 20,"
                                    + " \"size\": 16}}")
                            .getBytes(),
                    "X-API-Key",
                    "a-key");
            assertThat(another.statusCode()).isEqualTo(202);
            assertThat(get(port, "/v1/training-jobs/" + id, "X-API-Key", "a-key")
                            .statusCode())
                    .as("%s right after its 202", id)
                    .isEqualTo(200);
        }
        assertThat(get(port, "/v1/training-jobs", "X-API-Key", "a-key").body()).contains("\"j7\"");
        // The event stream replays what happened so far.
        var stream = http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/training-jobs/j7/events"))
                        .header("X-API-Key", "a-key")
                        .build(),
                HttpResponse.BodyHandlers.ofLines());
        assertThat(stream.headers().firstValue("Content-Type")).contains("text/event-stream");
        java.util.List<String> firstLines = stream.body().limit(2).toList();
        assertThat(firstLines.get(0)).isEqualTo("event: queued");
        assertThat(firstLines.get(1)).startsWith("data: ").contains("\"job_id\":\"j7\"");
        var cancel = http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/training-jobs/j7"))
                        .header("X-API-Key", "a-key")
                        .DELETE()
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(cancel.statusCode()).isEqualTo(202);
        assertThat(get(port, "/v1/training-jobs/nope", "X-API-Key", "a-key").statusCode())
                .isEqualTo(404);
    }

    @Test
    void keysHaveScopesAndEachKeyHasItsOwnRate() throws Exception {
        announceModel(true);
        String alice = ApiKeys.newKey();
        String bob = ApiKeys.newKey();
        Path file = Files.writeString(
                tmp.resolve("keys"),
                ApiKeys.fileLine("alice", alice, ApiKeys.Scope.TRANSLATE) + "\n"
                        + ApiKeys.fileLine("bob", bob, ApiKeys.Scope.TRAIN) + "\n");
        int port = gateway(
                config(Map.of(), 30_000, 64).withApiKeys(ApiKeys.readFile(file)).withClientLimits(4, 0.5, 2));
        awaitReady(port);
        assertThat(post(port, "/v1/translations?target=domain1=1", "image/png", png())
                        .statusCode())
                .isEqualTo(401);
        assertThat(post(port, "/v1/translations?target=domain1=1", "image/png", png(), "X-API-Key", "not-a-key")
                        .statusCode())
                .isEqualTo(401);
        assertThat(get(port, "/v1/models", "X-API-Key", alice).statusCode()).isEqualTo(200);
        HttpResponse<String> forbidden = get(port, "/v1/training-jobs", "X-API-Key", alice);
        assertThat(forbidden.statusCode()).isEqualTo(403);
        assertThat(new JsonObject(forbidden.body()).getString("message"))
                .isEqualTo("key 'alice' has scope translate; GET /v1/training-jobs needs train");
        assertThat(get(port, "/v1/training-jobs", "Authorization", "Bearer " + bob)
                        .statusCode())
                .isEqualTo(200);
        // Two requests of burst, then 0.5/s: alice's third is refused with a Retry-After; bob's own bucket is full.
        assertThat(post(port, "/v1/translations?target=domain1=1", "image/png", png(), "X-API-Key", alice)
                        .statusCode())
                .isEqualTo(200);
        assertThat(post(port, "/v1/translations?target=domain1=1", "image/png", png(), "X-API-Key", alice)
                        .statusCode())
                .isEqualTo(200);
        HttpResponse<byte[]> limited =
                post(port, "/v1/translations?target=domain1=1", "image/png", png(), "X-API-Key", alice);
        assertThat(limited.statusCode()).isEqualTo(429);
        // 0.5 tokens a second: a whole one is back in at most 2 s, depending on how long the first two took.
        assertThat(limited.headers().firstValue("Retry-After").orElseThrow()).isIn("1", "2");
        assertThat(new String(limited.body())).contains("key alice: more than 0.5 requests per second");
        assertThat(post(port, "/v1/translations?target=domain1=1", "image/png", png(), "X-API-Key", bob)
                        .statusCode())
                .isEqualTo(200);
        assertThat(get(port, "/metrics").body())
                .contains("stargan_gateway_rejected_requests_total{reason=")
                .doesNotContain("instance=")
                .contains("reason=\"rate_limited\"")
                .contains("reason=\"unauthorized\"")
                .contains("reason=\"forbidden\"");
    }

    @Test
    void hostileAndMislabelledUploadsAreRefusedAndTheGatewayKeepsServing() throws Exception {
        announceModel(true);
        int port = gateway(Map.of(), 30_000, 64);
        awaitReady(port);
        announceNamedModel("default", "v2");
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (!get(port, "/v1/models").body().contains("Blond_Hair") && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        // A 33-byte PNG claiming 100000×100000 pixels: refused from its header.
        byte[] bomb = ImageSnifferTest.bombHeader(100_000, 100_000);
        HttpResponse<byte[]> refused = post(port, "/v1/translations?target=Blond_Hair=1", "image/png", bomb);
        assertThat(refused.statusCode()).isEqualTo(413);
        assertThat(new String(refused.body()))
                .contains("body: 100000×100000 pixels, more than this gateway's limit of 16777216");
        // The bytes decide, not the declared type: a PNG sent as JPEG or as octet-stream is translated; a GIF sent as
        // PNG is not.
        assertThat(post(port, "/v1/translations?target=Blond_Hair=1", "image/jpeg", png())
                        .statusCode())
                .isEqualTo(200);
        assertThat(post(port, "/v1/translations?target=Blond_Hair=1", "application/octet-stream", png())
                        .statusCode())
                .isEqualTo(200);
        HttpResponse<byte[]> gif =
                post(port, "/v1/translations?target=Blond_Hair=1", "image/png", ImageSnifferTest.encode("gif", 8, 8));
        assertThat(gif.statusCode()).isEqualTo(415);
        assertThat(new String(gif.body())).contains("body: not a PNG, JPEG or NPY file (first bytes 4749463839610800)");
        // A PNG cut after its header passes the gateway and is refused by the worker that decodes it.
        byte[] truncated = java.util.Arrays.copyOf(png(), 60);
        HttpResponse<byte[]> cut = post(port, "/v1/translations?target=Blond_Hair=1", "image/png", truncated);
        assertThat(cut.statusCode()).isEqualTo(400);
        assertThat(new String(cut.body())).contains("damaged or truncated");
        // Targets are checked against the model before anything is queued.
        HttpResponse<byte[]> range = post(port, "/v1/translations?target=Male=3", "image/png", png());
        assertThat(range.statusCode()).isEqualTo(400);
        assertThat(new JsonObject(new String(range.body())).getString("message"))
                .isEqualTo("target: Male=3.0 is out of range, expected 0..1");
        HttpResponse<byte[]> wings = post(port, "/v1/translations?target=Wings=1", "image/png", png());
        assertThat(new String(wings.body()))
                .contains("target: unknown domain 'Wings'; this model's domains: Black_Hair, Blond_Hair, Male");
        HttpResponse<byte[]> shortVector = post(port, "/v1/translations?labels=1,0", "image/png", png());
        assertThat(new String(shortVector.body())).contains("labels: '1,0' has 2 values, expected 3");
        HttpResponse<byte[]> version = post(port, "/v1/translations?target=Male=1&version=v9", "image/png", png());
        assertThat(version.statusCode()).isEqualTo(400);
        assertThat(new String(version.body()))
                .contains("version: 'v9' of model 'default' is not served; served: default (v1, v2)");
        // Huge or malformed job specs.
        HttpResponse<byte[]> huge = post(
                port,
                "/v1/training-jobs",
                "application/json",
                ("{\"options\": {\"seed\": \"" + "x".repeat(2 << 20) + "\"}}").getBytes());
        assertThat(huge.statusCode()).isEqualTo(413);
        // Still serving.
        HttpResponse<byte[]> ok = post(port, "/v1/translations?target=Blond_Hair=1,Male=0.5", "image/png", png());
        assertThat(ok.statusCode()).isEqualTo(200);
        assertThat(ok.headers().firstValue("X-Model-Version")).contains("v2");
        assertThat(get(port, "/metrics").body())
                .contains("reason=\"too_large\"")
                .contains("reason=\"unsupported_media_type\"")
                .contains("reason=\"bad_request\"");
    }

    @Test
    void twoGatewayInstancesEachGetTheirOwnReplies() throws Exception {
        announceModel(true);
        int a = gateway(Map.of(), 30_000, 64);
        int b = gateway(Map.of(), 30_000, 64);
        awaitReady(a);
        awaitReady(b);
        java.util.List<java.util.concurrent.CompletableFuture<HttpResponse<byte[]>>> sent = new java.util.ArrayList<>();
        for (int i = 0; i < 12; i++) {
            int port = i % 2 == 0 ? a : b;
            sent.add(http.sendAsync(
                    HttpRequest.newBuilder(URI.create(
                                    "http://127.0.0.1:" + port + "/v1/translations?target=domain1=" + (i / 12.0)))
                            .header("Content-Type", "image/png")
                            .header("Accept", "application/json")
                            .POST(HttpRequest.BodyPublishers.ofByteArray(png()))
                            .build(),
                    HttpResponse.BodyHandlers.ofByteArray()));
        }
        for (int i = 0; i < sent.size(); i++) {
            HttpResponse<byte[]> r = sent.get(i).get(60, TimeUnit.SECONDS);
            assertThat(r.statusCode()).as(new String(r.body())).isEqualTo(200);
        }
        // Each instance saw only its own results: had they shared a reply topic, each would have dropped the other's.
        for (int port : new int[] {a, b}) {
            assertThat(get(port, "/metrics").body()).containsPattern("(?m)^stargan_gateway_dropped_results 0\\.0$");
        }
    }

    @Test
    void aFloodingClientGets429WhileOtherClientsAreServed() throws Exception {
        announceModel(true);
        int port = gateway(config(Map.of("flood-key", "translate", "calm-key", "translate"), 30_000, 16)
                .withClientLimits(2, 0, 1));
        awaitReady(port);
        java.util.List<java.util.concurrent.CompletableFuture<HttpResponse<String>>> flood =
                new java.util.ArrayList<>();
        for (int i = 0; i < 40; i++) {
            flood.add(http.sendAsync(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/translations?target=domain1=1"))
                            .header("Content-Type", "image/png")
                            .header("X-API-Key", "flood-key")
                            .POST(HttpRequest.BodyPublishers.ofByteArray(png()))
                            .build(),
                    HttpResponse.BodyHandlers.ofString()));
        }
        for (int i = 0; i < 3; i++) {
            HttpResponse<byte[]> calm =
                    post(port, "/v1/translations?target=domain1=0.5", "image/png", png(), "X-API-Key", "calm-key");
            assertThat(calm.statusCode())
                    .as("the calm client's request %d: %s", i, new String(calm.body()))
                    .isEqualTo(200);
        }
        int ok = 0;
        int limited = 0;
        for (var f : flood) {
            HttpResponse<String> r = f.get(60, TimeUnit.SECONDS);
            if (r.statusCode() == 200) {
                ok++;
            } else {
                assertThat(r.statusCode()).isEqualTo(429);
                assertThat(r.body())
                        .contains("key sha256:" + ApiKeys.hash("flood-key").substring(0, 8)
                                + ": already 2 translations waiting");
                assertThat(r.headers().firstValue("Retry-After")).contains("1");
                limited++;
            }
        }
        assertThat(ok).as("the flood is served up to its share").isPositive();
        assertThat(limited).as("and refused beyond it").isPositive();
        assertThat(get(port, "/metrics").body()).contains("reason=\"client_in_flight\"");
    }
}
