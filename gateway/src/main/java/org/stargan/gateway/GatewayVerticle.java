package org.stargan.gateway;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.kafka.client.consumer.KafkaConsumer;
import io.vertx.kafka.client.consumer.KafkaConsumerRecord;
import io.vertx.kafka.client.producer.KafkaHeader;
import io.vertx.kafka.client.producer.KafkaProducer;
import io.vertx.kafka.client.producer.KafkaProducerRecord;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.stargan.kafka.Topics;
import org.stargan.msg.ModelAnnouncement;
import org.stargan.msg.Protocol;
import org.stargan.msg.TrainEvent;
import org.stargan.msg.TrainRequest;

/**
 * The HTTP front of the platform. Translations go to the inference workers over Kafka and come back on this
 * instance's own reply topic, matched by request id ({@link ReplyCorrelator}); every request has a deadline, the
 * number waiting is bounded (429 beyond it), and nothing here blocks or touches DJL. Training jobs go to the
 * trainers; their events, read back from Kafka ({@link JobBoard}), answer job queries and stream as Server-Sent
 * Events. Errors are JSON {@code {"error", "message"}} with the field at fault named.
 */
public final class GatewayVerticle extends VerticleBase {
    /** The API description, served at /openapi.yaml. */
    static final Buffer OPENAPI = load("/openapi.yaml");

    private GatewayConfig config;
    private Topics topics;
    private String replyTopic;
    private KafkaProducer<String, Buffer> producer;
    private KafkaConsumer<String, Buffer> replies;
    private KafkaConsumer<String, Buffer> registry;
    private KafkaConsumer<String, Buffer> events;
    private HttpServer server;
    private final ReplyCorrelator<KafkaConsumerRecord<String, Buffer>> correlator = new ReplyCorrelator<>();
    private final ModelCatalog catalog = new ModelCatalog();
    private final JobBoard jobs = new JobBoard();
    private JobArtifacts artifacts;
    private final AtomicLong counter = new AtomicLong();
    private final PrometheusMeterRegistry metrics = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private volatile boolean repliesAssigned;

    @Override
    public Future<?> start() {
        config = GatewayConfig.fromJson(config());
        topics = new Topics(config.topicPrefix());
        replyTopic = topics.translateResults() + "." + config.instanceId();
        String artifactRoot = config().getString("artifactRoot", "");
        artifacts = new JobArtifacts(artifactRoot.isBlank() ? null : java.nio.file.Path.of(artifactRoot));
        metrics.config().commonTags("instance", config.instanceId());
        Gauge.builder("stargan_gateway_in_flight", correlator, ReplyCorrelator::inFlight).description("translations waiting for a result")
                .register(metrics);
        Gauge.builder("stargan_gateway_dropped_results", correlator, ReplyCorrelator::dropped)
                .description("results nobody waited for (duplicates, late)").register(metrics);
        Map<String, String> p = new HashMap<>();
        p.put("bootstrap.servers", config.bootstrapServers());
        // A request is sent once the broker has it; idempotence keeps retries from duplicating it.
        p.put("acks", "all");
        p.put("enable.idempotence", "true");
        p.put("max.request.size", Integer.toString(config.maxBodyBytes() + (1 << 20)));
        // Do not let a dead broker hold a request beyond its deadline.
        p.put("delivery.timeout.ms", Long.toString(Math.max(config.requestTimeoutMillis(), 1000)));
        p.put("request.timeout.ms", Long.toString(Math.max(config.requestTimeoutMillis() / 2, 500)));
        producer = KafkaProducer.create(vertx, p, String.class, Buffer.class);
        replies = consumer("gateway-" + config.instanceId() + "-" + UUID.randomUUID());
        replies.partitionsAssignedHandler(parts -> repliesAssigned = true);
        replies.handler(rec -> correlator.deliver(rec.key(), rec));
        registry = consumer("gateway-registry-" + UUID.randomUUID());
        registry.handler(rec -> {
            try {
                catalog.announce(ModelAnnouncement.fromJson(rec.value().getBytes()));
            } catch (RuntimeException ignored) {
                // not an announcement: the workers report it; the catalog just skips it
            }
        });
        events = consumer("gateway-events-" + UUID.randomUUID());
        events.handler(rec -> {
            try {
                jobs.apply(new JsonObject(rec.value()));
            } catch (RuntimeException ignored) {
                // not an event
            }
        });
        String host = config().getString("httpHost", "127.0.0.1");
        boolean loopback = host.equals("127.0.0.1") || host.equals("localhost") || host.equals("::1");
        if (!loopback && (config.apiKeys().isEmpty() || config.apiKeys().containsKey("*"))) {
            // Secure by default: anyone who can reach a public address could otherwise use the GPUs.
            return Future.failedFuture("refusing to listen on " + host + " without API keys (or with '*' open translation); "
                    + "configure keys (STARGAN_API_KEYS=key:user,key2:admin) or bind 127.0.0.1");
        }
        return Future.all(replies.subscribe(replyTopic), registry.subscribe(topics.models()), events.subscribe(topics.trainEvents()))
                .compose(v -> vertx.createHttpServer(new io.vertx.core.http.HttpServerOptions().setCompressionSupported(true))
                        .requestHandler(router()).listen(config.httpPort(), host))
                .onSuccess(s -> server = s);
    }

    private KafkaConsumer<String, Buffer> consumer(String group) {
        // Replies, the registry and job events are read in full from the start of each topic: this instance's own
        // group, nothing committed that anyone else relies on.
        Map<String, String> c = Topics.consumerConfig(config.bootstrapServers(), group);
        c.put("max.partition.fetch.bytes", Integer.toString(config.maxBodyBytes() + (1 << 20)));
        KafkaConsumer<String, Buffer> k = KafkaConsumer.create(vertx, c, String.class, Buffer.class);
        k.pollTimeout(Duration.ofMillis(50));
        return k;
    }

    /** The port the server listens on. */
    public int port() {
        return server.actualPort();
    }

    private Router router() {
        Router r = Router.router(vertx);
        r.route().handler(this::timed);
        r.post("/v1/translations").handler(BodyHandler.create().setBodyLimit(config.maxBodyBytes()).setDeleteUploadedFilesOnEnd(true))
                .handler(this::translate);
        r.get("/v1/models").handler(this::models);
        r.get("/v1/stream").handler(this::stream);
        r.post("/v1/training-jobs").handler(BodyHandler.create().setBodyLimit(1 << 20)).handler(this::submitJob);
        r.get("/v1/training-jobs").handler(this::listJobs);
        r.get("/v1/training-jobs/:id").handler(this::getJob);
        r.delete("/v1/training-jobs/:id").handler(this::cancelJob);
        r.get("/v1/training-jobs/:id/events").handler(this::jobEvents);
        r.get("/v1/training-jobs/:id/artifacts/*").handler(this::jobArtifact);
        r.get("/health/live").handler(ctx -> ctx.json(new JsonObject().put("status", "up")));
        // The web UI: static files from the classpath, no external CDN.
        r.get("/").handler(ctx -> ctx.reroute("/index.html"));
        r.route("/*").handler(io.vertx.ext.web.handler.StaticHandler.create("webroot").setCachingEnabled(false));
        r.get("/health/ready").handler(this::ready);
        r.get("/metrics").handler(ctx -> ctx.response().putHeader("content-type", "text/plain; version=0.0.4").end(metrics.scrape()));
        r.get("/openapi.yaml").handler(ctx -> ctx.response().putHeader("Content-Type", "application/yaml").end(OPENAPI));
        r.route().last().handler(ctx -> error(ctx, 404, "not_found", "no route " + ctx.request().method() + " " + ctx.request().path()));
        r.errorHandler(413, ctx -> error(ctx, 413, "too_large", "body: larger than " + config.maxBodyBytes() + " bytes"));
        r.errorHandler(500, ctx -> error(ctx, 500, "internal", String.valueOf(ctx.failure())));
        return r;
    }

    private void timed(RoutingContext ctx) {
        long start = System.nanoTime();
        ctx.addBodyEndHandler(v -> Timer.builder("stargan_gateway_http_requests").tag("route", ctx.currentRoute() == null
                ? "unknown" : String.valueOf(ctx.currentRoute().getPath())).tag("status", Integer.toString(ctx.response().getStatusCode()))
                .publishPercentileHistogram().register(metrics).record(System.nanoTime() - start, TimeUnit.NANOSECONDS));
        ctx.next();
    }

    /** Who is calling: null when allowed as {@code role}, otherwise the response has been sent. */
    private boolean denied(RoutingContext ctx, String role) {
        if (config.apiKeys().isEmpty()) {
            if (role.equals("admin")) {
                error(ctx, 403, "forbidden", "training is disabled: the gateway has no admin API key configured");
                return true;
            }
            return false;
        }
        String key = ctx.request().getHeader("X-API-Key");
        String auth = ctx.request().getHeader("Authorization");
        if (key == null && auth != null && auth.startsWith("Bearer ")) {
            key = auth.substring(7).trim();
        }
        if (key == null && ctx.request().path().equals("/v1/stream")) {
            // Browsers cannot set headers on a WebSocket handshake, so the stream alone also takes ?key=.
            key = ctx.request().getParam("key");
        }
        String has = key == null ? config.apiKeys().get("*") : config.apiKeys().get(key);
        if (has == null) {
            ctx.response().putHeader("WWW-Authenticate", "Bearer");
            error(ctx, 401, "unauthorized", "X-API-Key or Authorization: Bearer: missing or unknown key");
            return true;
        }
        if (role.equals("admin") && !has.equals("admin")) {
            error(ctx, 403, "forbidden", "this key may translate but not train");
            return true;
        }
        return false;
    }

    private void translate(RoutingContext ctx) {
        if (denied(ctx, "user")) {
            return;
        }
        String type = ctx.request().getHeader("Content-Type");
        String mediaType = type == null ? "" : type.split(";")[0].trim().toLowerCase();
        Buffer body;
        if (mediaType.equals("multipart/form-data")) {
            // A form upload: the first file is the image; target/labels may come as form fields.
            if (ctx.fileUploads().isEmpty()) {
                error(ctx, 400, "bad_request", "multipart body: no file part, expected the image as a file field");
                return;
            }
            var upload = ctx.fileUploads().get(0);
            String partType = upload.contentType() == null ? "" : upload.contentType().toLowerCase();
            if (!partType.equals(Protocol.PNG) && !partType.equals(Protocol.JPEG) && !partType.equals(Protocol.NPY)) {
                error(ctx, 415, "unsupported_media_type", "file part '" + upload.fileName() + "': content type '" + upload.contentType()
                        + "', expected image/png, image/jpeg or application/x-npy");
                return;
            }
            // Read without blocking the event loop, then continue as for a raw body.
            vertx.fileSystem().readFile(upload.uploadedFileName()).onSuccess(bytes -> submit(ctx, bytes))
                    .onFailure(e -> error(ctx, 400, "bad_request", "file part '" + upload.fileName() + "': " + e.getMessage()));
            return;
        } else if (mediaType.equals(Protocol.PNG) || mediaType.equals(Protocol.JPEG) || mediaType.equals(Protocol.NPY)) {
            body = ctx.body().buffer();
        } else {
            error(ctx, 415, "unsupported_media_type", "Content-Type: '" + type
                    + "', expected image/png, image/jpeg, application/x-npy or multipart/form-data");
            return;
        }
        submit(ctx, body);
    }

    private void submit(RoutingContext ctx, Buffer body) {
        if (body == null || body.length() == 0) {
            error(ctx, 400, "bad_request", "body: empty, expected the image bytes");
            return;
        }
        String target = ctx.request().getParam("target");
        String labels = ctx.request().getParam("labels");
        if (target == null && labels == null && !"true".equals(ctx.request().getParam("all"))) {
            error(ctx, 400, "bad_request", "target or labels: neither given, expected e.g. target=Blond_Hair=1,Male=0.5 or labels=0,1,0,1,1");
            return;
        }
        String accept = ctx.request().getHeader("Accept");
        boolean json = accept != null && accept.contains("application/json");
        String encoding = accept != null && accept.contains(Protocol.JPEG) ? Protocol.JPEG
                : accept != null && accept.contains(Protocol.NPY) ? Protocol.NPY : Protocol.PNG;
        if (correlator.inFlight() >= config.maxInFlight()) {
            ctx.response().putHeader("Retry-After", "1");
            error(ctx, 429, "too_many_requests", "this gateway already waits for " + config.maxInFlight() + " translations; retry shortly");
            return;
        }
        if (catalog.isEmpty()) {
            error(ctx, 503, "unavailable", "no model is served yet (nothing announced on " + topics.models() + ")");
            return;
        }
        if ("true".equals(ctx.request().getParam("all"))) {
            allDomains(ctx, body, labels, model(ctx), ctx.request().getParam("version"), encoding);
            return;
        }
        String id = config.instanceId() + "-" + counter.incrementAndGet();
        KafkaProducerRecord<String, Buffer> rec = KafkaProducerRecord.create(topics.translateRequests(), id, body);
        rec.addHeader(Protocol.SCHEMA, Protocol.REQUEST_V1).addHeader(Protocol.REPLY_TO, replyTopic).addHeader(Protocol.ACCEPT, encoding);
        if (target != null) {
            rec.addHeader(Protocol.TARGET, target);
        }
        if (labels != null) {
            rec.addHeader(Protocol.LABELS, labels);
        }
        String model = ctx.request().getParam("model");
        if (model != null) {
            rec.addHeader(Protocol.MODEL, model);
        }
        String version = ctx.request().getParam("version");
        if (version != null) {
            rec.addHeader(Protocol.MODEL_VERSION, version);
        }
        long timer = vertx.setTimer(config.requestTimeoutMillis(), t -> {
            if (correlator.forget(id)) {
                error(ctx, 504, "timeout", "no result within " + config.requestTimeoutMillis() + " ms");
            }
        });
        ctx.response().closeHandler(v -> correlator.forget(id));
        correlator.expect(id, result -> {
            vertx.cancelTimer(timer);
            respond(ctx, result, json, encoding);
        });
        producer.send(rec).onFailure(e -> {
            if (correlator.forget(id)) {
                vertx.cancelTimer(timer);
                error(ctx, 503, "unavailable", "the request could not be queued: " + e.getMessage());
            }
        });
    }

    /**
     * {@code /v1/stream}: live edits over a WebSocket (format in docs/protocol.md). A binary frame sets the image; a
     * text frame {@code {"seq", "target"|"labels", "model"?, "version"?}} asks for a translation of it. While one edit
     * is being translated only the newest waiting edit is kept (latest wins); each answer is a text frame
     * {@code {"seq", "model_version", "compute_ms", ...}} followed by a binary frame with the PNG, or a text frame
     * {@code {"seq", "error", "message"}}. Closing the socket drops the pending edit and any result still on its way.
     */
    private void stream(RoutingContext ctx) {
        if (denied(ctx, "user")) {
            return;
        }
        ctx.request().toWebSocket().onSuccess(ws -> {
            Buffer[] image = new Buffer[1];
            JsonObject[] pending = new JsonObject[1];
            String[] inFlight = new String[1];
            Runnable[] dispatch = new Runnable[1];
            dispatch[0] = () -> {
                if (inFlight[0] != null || pending[0] == null || ws.isClosed()) {
                    return;
                }
                JsonObject edit = pending[0];
                pending[0] = null;
                long seq = edit.getLong("seq", 0L);
                if (image[0] == null) {
                    ws.writeTextMessage(new JsonObject().put("seq", seq).put("error", "bad_request").put("message", "send the image (a binary frame) first").encode());
                    return;
                }
                if (edit.getString("target") == null && edit.getString("labels") == null) {
                    ws.writeTextMessage(new JsonObject().put("seq", seq).put("error", "bad_request")
                            .put("message", "target or labels: neither given in edit " + seq).encode());
                    return;
                }
                String id = config.instanceId() + "-ws-" + counter.incrementAndGet();
                inFlight[0] = id;
                KafkaProducerRecord<String, Buffer> rec = KafkaProducerRecord.create(topics.translateRequests(), id, image[0]);
                rec.addHeader(Protocol.SCHEMA, Protocol.REQUEST_V1).addHeader(Protocol.REPLY_TO, replyTopic).addHeader(Protocol.ACCEPT, Protocol.PNG);
                for (String[] h : new String[][] {{"target", Protocol.TARGET}, {"labels", Protocol.LABELS}, {"model", Protocol.MODEL},
                        {"version", Protocol.MODEL_VERSION}}) {
                    if (edit.getString(h[0]) != null) {
                        rec.addHeader(h[1], edit.getString(h[0]));
                    }
                }
                long timer = vertx.setTimer(config.requestTimeoutMillis(), t -> {
                    if (correlator.forget(id)) {
                        inFlight[0] = null;
                        ws.writeTextMessage(new JsonObject().put("seq", seq).put("error", "timeout")
                                .put("message", "no result within " + config.requestTimeoutMillis() + " ms").encode());
                        dispatch[0].run();
                    }
                });
                correlator.expect(id, result -> {
                    vertx.cancelTimer(timer);
                    inFlight[0] = null;
                    if (!ws.isClosed()) {
                        Map<String, String> h = new HashMap<>();
                        for (KafkaHeader k : result.headers()) {
                            h.put(k.key(), k.value().toString(StandardCharsets.UTF_8));
                        }
                        if ("ok".equals(h.get(Protocol.STATUS))) {
                            ws.writeTextMessage(new JsonObject().put("seq", seq).put("model_version", h.get(Protocol.MODEL_VERSION))
                                    .put("queue_ms", Double.parseDouble(h.getOrDefault(Protocol.QUEUE_MS, "0")))
                                    .put("compute_ms", Double.parseDouble(h.getOrDefault(Protocol.COMPUTE_MS, "0"))).encode());
                            ws.writeBinaryMessage(result.value());
                        } else {
                            ws.writeTextMessage(new JsonObject().put("seq", seq).put("error", "bad_request")
                                    .put("message", h.getOrDefault(Protocol.ERROR, "translation failed")).encode());
                        }
                    }
                    dispatch[0].run();
                });
                producer.send(rec).onFailure(e -> {
                    if (correlator.forget(id)) {
                        vertx.cancelTimer(timer);
                        inFlight[0] = null;
                        ws.writeTextMessage(new JsonObject().put("seq", seq).put("error", "unavailable").put("message", e.getMessage()).encode());
                    }
                });
            };
            ws.binaryMessageHandler(b -> {
                if (b.length() > config.maxBodyBytes()) {
                    ws.writeTextMessage(new JsonObject().put("error", "too_large").put("message", "image: larger than " + config.maxBodyBytes() + " bytes").encode());
                    return;
                }
                image[0] = b;
            });
            ws.textMessageHandler(text -> {
                try {
                    pending[0] = new JsonObject(text);
                } catch (RuntimeException e) {
                    ws.writeTextMessage(new JsonObject().put("error", "bad_request").put("message", "edit: not JSON (" + e.getMessage() + ")").encode());
                    return;
                }
                dispatch[0].run();
            });
            ws.closeHandler(v -> {
                pending[0] = null;
                if (inFlight[0] != null) {
                    correlator.forget(inFlight[0]);
                }
            });
        }).onFailure(e -> error(ctx, 400, "bad_request", "expected a WebSocket upgrade: " + e.getMessage()));
    }

    private static String model(RoutingContext ctx) {
        String m = ctx.request().getParam("model");
        return m == null ? "default" : m;
    }

    /**
     * {@code all=true}: the official test grid for one image — the input, then one column per domain (each hair colour
     * on in turn, every other domain flipped from {@code labels}, default all 0) — as one image. One request per
     * domain goes to the workers; the grid is drawn when all are back.
     */
    private void allDomains(RoutingContext ctx, Buffer body, String labels, String model, String version, String encoding) {
        JsonObject entry = catalog.version(model, version);
        if (entry == null || entry.getJsonArray("domains") == null || entry.getJsonArray("domains").isEmpty()) {
            error(ctx, 400, "bad_request", "all=true: the domains of model '" + model + "' are unknown (its checkpoint carries no names)");
            return;
        }
        java.util.List<String> names = new java.util.ArrayList<>();
        entry.getJsonArray("domains").forEach(n -> names.add(String.valueOf(n)));
        java.util.List<java.util.List<String>> groups = new java.util.ArrayList<>();
        entry.getJsonArray("exclusive_groups", new io.vertx.core.json.JsonArray()).forEach(g -> {
            java.util.List<String> group = new java.util.ArrayList<>();
            ((io.vertx.core.json.JsonArray) g).forEach(n -> group.add(String.valueOf(n)));
            groups.add(group);
        });
        java.util.List<float[]> targets;
        try {
            org.stargan.data.DomainLabels domains = new org.stargan.data.DomainLabels(names, groups);
            float[] base = labels == null ? new float[names.size()] : domains.parseVector(labels, "labels");
            targets = domains.allDomainTargets(base);
        } catch (IllegalArgumentException e) {
            error(ctx, 400, "bad_request", e.getMessage());
            return;
        }
        if (correlator.inFlight() + targets.size() > config.maxInFlight()) {
            ctx.response().putHeader("Retry-After", "1");
            error(ctx, 429, "too_many_requests", "this gateway already waits for " + correlator.inFlight() + " translations; retry shortly");
            return;
        }
        Buffer[] columns = new Buffer[targets.size()];
        String[] ids = new String[targets.size()];
        int[] remaining = {targets.size()};
        boolean[] failed = {false};
        long timer = vertx.setTimer(config.requestTimeoutMillis(), t -> {
            boolean any = false;
            for (String id : ids) {
                any |= id != null && correlator.forget(id);
            }
            if (any && !failed[0]) {
                failed[0] = true;
                error(ctx, 504, "timeout", "no complete grid within " + config.requestTimeoutMillis() + " ms");
            }
        });
        for (int k = 0; k < targets.size(); k++) {
            final int col = k;
            ids[k] = config.instanceId() + "-" + counter.incrementAndGet();
            StringBuilder csv = new StringBuilder();
            for (float v : targets.get(k)) {
                csv.append(csv.length() == 0 ? "" : ",").append(v);
            }
            KafkaProducerRecord<String, Buffer> rec = KafkaProducerRecord.create(topics.translateRequests(), ids[k], body);
            rec.addHeader(Protocol.SCHEMA, Protocol.REQUEST_V1).addHeader(Protocol.REPLY_TO, replyTopic).addHeader(Protocol.ACCEPT, Protocol.PNG)
                    .addHeader(Protocol.LABELS, csv.toString()).addHeader(Protocol.MODEL, model);
            if (version != null) {
                rec.addHeader(Protocol.MODEL_VERSION, version);
            }
            correlator.expect(ids[k], result -> {
                String status = null;
                String message = "translation failed";
                for (KafkaHeader h : result.headers()) {
                    if (h.key().equals(Protocol.STATUS)) {
                        status = h.value().toString(StandardCharsets.UTF_8);
                    } else if (h.key().equals(Protocol.ERROR)) {
                        message = h.value().toString(StandardCharsets.UTF_8);
                    }
                }
                if (!"ok".equals(status)) {
                    if (!failed[0]) {
                        failed[0] = true;
                        vertx.cancelTimer(timer);
                        for (String other : ids) {
                            correlator.forget(other);
                        }
                        error(ctx, 400, "bad_request", message);
                    }
                    return;
                }
                columns[col] = result.value();
                if (--remaining[0] == 0 && !failed[0]) {
                    vertx.cancelTimer(timer);
                    // Drawing a grid of a few small images: cheap, but keep image work off the event loop anyway.
                    vertx.executeBlocking(() -> grid(body, columns, encoding)).onSuccess(png -> ctx.response().putHeader("Content-Type", encoding)
                            .end(png)).onFailure(e -> error(ctx, 400, "bad_request", "input image: " + e.getMessage()));
                }
            });
            producer.send(rec).onFailure(e -> {
                if (!failed[0]) {
                    failed[0] = true;
                    vertx.cancelTimer(timer);
                    for (String other : ids) {
                        correlator.forget(other);
                    }
                    error(ctx, 503, "unavailable", "the requests could not be queued: " + e.getMessage());
                }
            });
        }
    }

    /** The input (centre-cropped and resized to the results' size) then every result, side by side. */
    private static Buffer grid(Buffer input, Buffer[] columns, String encoding) throws java.io.IOException {
        java.awt.image.BufferedImage first = javax.imageio.ImageIO.read(new java.io.ByteArrayInputStream(columns[0].getBytes()));
        int s = first.getHeight();
        var in = org.stargan.data.ImageCodec.decode(input.getBytes(), "input");
        var inputTensor = org.stargan.data.ImageCodec.toTensor(in, 0, s);
        java.awt.image.BufferedImage grid = new java.awt.image.BufferedImage(s * (columns.length + 1), s, java.awt.image.BufferedImage.TYPE_INT_RGB);
        var g = grid.createGraphics();
        g.drawImage(org.stargan.data.ImageCodec.toImage(inputTensor.chw(), 0, s, s), 0, 0, null);
        for (int k = 0; k < columns.length; k++) {
            g.drawImage(javax.imageio.ImageIO.read(new java.io.ByteArrayInputStream(columns[k].getBytes())), (k + 1) * s, 0, null);
        }
        g.dispose();
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        org.stargan.data.ImageCodec.write(grid, encoding.equals(Protocol.JPEG) ? "grid.jpg" : "grid.png", out);
        return Buffer.buffer(out.toByteArray());
    }

    private void respond(RoutingContext ctx, KafkaConsumerRecord<String, Buffer> result, boolean json, String encoding) {
        Map<String, String> h = new HashMap<>();
        for (KafkaHeader k : result.headers()) {
            h.put(k.key(), k.value().toString(StandardCharsets.UTF_8));
        }
        if (!"ok".equals(h.get(Protocol.STATUS))) {
            String message = h.getOrDefault(Protocol.ERROR, "translation failed");
            boolean internal = message.startsWith("translation failed");
            error(ctx, internal ? 500 : 400, internal ? "internal" : "bad_request", message);
            return;
        }
        ctx.response().putHeader("X-Model-Version", h.getOrDefault(Protocol.MODEL_VERSION, ""))
                .putHeader("X-Queue-Ms", h.getOrDefault(Protocol.QUEUE_MS, "")).putHeader("X-Compute-Ms", h.getOrDefault(Protocol.COMPUTE_MS, ""));
        if (json) {
            ctx.json(new JsonObject().put("request_id", result.key()).put("model", h.get(Protocol.MODEL)).put("model_version", h.get(Protocol.MODEL_VERSION))
                    .put("queue_ms", Double.parseDouble(h.getOrDefault(Protocol.QUEUE_MS, "0")))
                    .put("compute_ms", Double.parseDouble(h.getOrDefault(Protocol.COMPUTE_MS, "0")))
                    .put("batch_size", Integer.parseInt(h.getOrDefault(Protocol.BATCH_SIZE, "0"))).put("worker", h.get(Protocol.WORKER))
                    .put("content_type", encoding).put("image_base64", Base64.getEncoder().encodeToString(result.value().getBytes())));
        } else {
            ctx.response().putHeader("Content-Type", encoding).end(result.value());
        }
    }

    private void models(RoutingContext ctx) {
        if (!denied(ctx, "user")) {
            ctx.json(catalog.toJson());
        }
    }

    private void submitJob(RoutingContext ctx) {
        if (denied(ctx, "admin")) {
            return;
        }
        JsonObject body;
        try {
            body = ctx.body().asJsonObject();
        } catch (RuntimeException e) {
            error(ctx, 400, "bad_request", "body: not JSON (" + e.getMessage() + ")");
            return;
        }
        if (body == null) {
            error(ctx, 400, "bad_request", "body: empty, expected {\"options\": {...}, \"synthetic\": {...}}");
            return;
        }
        String id = body.getString("job_id", "job-" + UUID.randomUUID().toString().substring(0, 8));
        if (jobs.job(id) != null) {
            error(ctx, 409, "conflict", "job_id: '" + id + "' exists already");
            return;
        }
        TrainRequest request;
        try {
            Map<String, String> options = new HashMap<>();
            body.getJsonObject("options", new JsonObject()).forEach(e -> options.put(e.getKey(), String.valueOf(e.getValue())));
            Map<String, Integer> synthetic = new HashMap<>();
            body.getJsonObject("synthetic", new JsonObject()).forEach(e -> synthetic.put(e.getKey(), ((Number) e.getValue()).intValue()));
            request = new TrainRequest(id, body.getString("requested_by", "api"), body.getString("model", "default"), options, synthetic);
        } catch (IllegalArgumentException | ClassCastException e) {
            error(ctx, 400, "bad_request", e.getMessage());
            return;
        }
        TrainEvent queued = new TrainEvent(id, "queued", 0, "", Map.of("requested_by", request.requestedBy(), "model", request.model()),
                System.currentTimeMillis());
        producer.send(KafkaProducerRecord.create(topics.trainEvents(), id, Buffer.buffer(queued.toJson())))
                .compose(v -> producer.send(KafkaProducerRecord.create(topics.trainRequests(), id, Buffer.buffer(request.toJson()))))
                .onSuccess(v -> ctx.response().setStatusCode(202).putHeader("Location", "/v1/training-jobs/" + id)
                        .putHeader("Content-Type", "application/json").end(new JsonObject().put("job_id", id).put("state", "queued").encode()))
                .onFailure(e -> error(ctx, 503, "unavailable", "the job could not be queued: " + e.getMessage()));
    }

    private void listJobs(RoutingContext ctx) {
        if (!denied(ctx, "admin")) {
            ctx.json(new JsonObject().put("jobs", jobs.all()));
        }
    }

    private void getJob(RoutingContext ctx) {
        if (denied(ctx, "admin")) {
            return;
        }
        JsonObject job = jobs.job(ctx.pathParam("id"));
        if (job == null) {
            error(ctx, 404, "not_found", "job '" + ctx.pathParam("id") + "' is unknown");
        } else {
            ctx.json(job);
        }
    }

    private void cancelJob(RoutingContext ctx) {
        if (denied(ctx, "admin")) {
            return;
        }
        String id = ctx.pathParam("id");
        JsonObject job = jobs.job(id);
        if (job == null) {
            error(ctx, 404, "not_found", "job '" + id + "' is unknown");
            return;
        }
        if (JobBoard.ended(job)) {
            error(ctx, 409, "conflict", "job '" + id + "' has already ended (" + job.getString("state") + ")");
            return;
        }
        producer.send(KafkaProducerRecord.create(topics.trainControl(), id, Buffer.buffer(new JsonObject().put("action", "cancel").encode())))
                .onSuccess(v -> ctx.response().setStatusCode(202).putHeader("Content-Type", "application/json")
                        .end(new JsonObject().put("job_id", id).put("cancel", "requested").encode()))
                .onFailure(e -> error(ctx, 503, "unavailable", "the cancel could not be sent: " + e.getMessage()));
    }

    private void jobEvents(RoutingContext ctx) {
        if (denied(ctx, "admin")) {
            return;
        }
        String id = ctx.pathParam("id");
        if (jobs.job(id) == null) {
            error(ctx, 404, "not_found", "job '" + id + "' is unknown");
            return;
        }
        var res = ctx.response().setChunked(true).putHeader("Content-Type", "text/event-stream").putHeader("Cache-Control", "no-cache");
        Runnable[] stop = new Runnable[1];
        stop[0] = jobs.follow(id, event -> {
            if (res.ended() || res.closed()) {
                return;
            }
            res.write("event: " + event.getString("type") + "\ndata: " + event.encode() + "\n\n");
            String type = event.getString("type");
            if (type.equals("done") || type.equals("failed") || type.equals("cancelled")) {
                res.end();
            }
        });
        res.closeHandler(v -> stop[0].run());
        res.endHandler(v -> stop[0].run());
    }

    /** A file of a job from the artifact store (sample grids, logs, checkpoints); looked up off the event loop. */
    private void jobArtifact(RoutingContext ctx) {
        if (denied(ctx, "admin")) {
            return;
        }
        String id = ctx.pathParam("id");
        String path = ctx.pathParam("*");
        // Unordered: one slow disk lookup must not hold back the others (nor the grids drawn off the event loop).
        vertx.executeBlocking(() -> artifacts.find(id, JobArtifacts.decodeUrlPath(path)), false).onSuccess(a -> {
            var res = ctx.response().putHeader("Content-Type", a.contentType()).putHeader("X-Content-Type-Options", "nosniff")
                    .putHeader("Cache-Control", "no-cache");
            res.sendFile(a.file().toString()).onFailure(e -> {
                if (res.headWritten()) {
                    res.reset();
                } else {
                    error(ctx, 404, "not_found", "artifact '" + path + "' of job '" + id + "': " + e.getMessage());
                }
            });
        }).onFailure(e -> {
            if (e instanceof JobArtifacts.Refused r) {
                error(ctx, r.status(), r.status() == 400 ? "bad_request" : r.status() == 403 ? "forbidden" : "not_found", r.getMessage());
            } else {
                error(ctx, 500, "internal", "artifact '" + path + "' of job '" + id + "': " + e);
            }
        });
    }

    private void ready(RoutingContext ctx) {
        if (!repliesAssigned) {
            error(ctx, 503, "unavailable", "not yet connected to the broker (reply topic " + replyTopic + " unassigned)");
        } else if (catalog.isEmpty()) {
            error(ctx, 503, "unavailable", "no model is served yet");
        } else {
            ctx.json(new JsonObject().put("status", "ready"));
        }
    }

    private static Buffer load(String resource) {
        try (var in = GatewayVerticle.class.getResourceAsStream(resource)) {
            return Buffer.buffer(in.readAllBytes());
        } catch (java.io.IOException | NullPointerException e) {
            throw new IllegalStateException("missing resource " + resource, e);
        }
    }

    private static void error(RoutingContext ctx, int status, String code, String message) {
        if (ctx.response().ended() || ctx.response().closed()) {
            return;
        }
        ctx.response().setStatusCode(status).putHeader("Content-Type", "application/json")
                .end(new JsonObject().put("error", code).put("message", message).encode());
    }

    @Override
    public Future<?> stop() {
        return Future.join(replies.close(), registry.close(), events.close(), server == null ? Future.succeededFuture() : server.close())
                .compose(v -> producer.close());
    }
}
