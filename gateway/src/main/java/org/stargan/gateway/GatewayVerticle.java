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
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.stargan.kafka.Topics;
import org.stargan.msg.ModelAnnouncement;
import org.stargan.msg.Protocol;

/**
 * The HTTP front of the platform. Translations go to the inference workers over Kafka and come back on this
 * instance's own reply topic, matched by request id ({@link ReplyCorrelator}); every request has a deadline, the
 * number waiting is bounded in all and per client (429 beyond it), uploads are checked before anything is queued,
 * and nothing here blocks or touches DJL. Training jobs ({@link TrainingRoutes}) go to the trainers; their events,
 * read back from Kafka into {@link JobBoard}, answer job queries and stream as Server-Sent Events. Errors are JSON
 * {@code {"error", "message"}} with the field at fault named.
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
    private final AtomicInteger webSockets = new AtomicInteger();
    private ClientLimits limits;
    private WorkerProbe workers;
    private volatile boolean repliesAssigned;

    @Override
    public Future<?> start() {
        config = GatewayConfig.fromJson(config());
        topics = new Topics(config.topicPrefix());
        replyTopic = topics.replyTopic(config.instanceId());
        artifacts =
                new JobArtifacts(config.artifactRoot().isEmpty() ? null : java.nio.file.Path.of(config.artifactRoot()));
        metrics.config().commonTags("instance", config.instanceId());
        Gauge.builder("stargan_gateway_in_flight", correlator, ReplyCorrelator::inFlight)
                .description("translations waiting for a result")
                .register(metrics);
        Gauge.builder("stargan_gateway_dropped_results", correlator, ReplyCorrelator::dropped)
                .description("results nobody waited for (duplicates, late)")
                .register(metrics);
        Gauge.builder("stargan_gateway_websocket_sessions", webSockets, AtomicInteger::get)
                .description("open /v1/stream sessions")
                .register(metrics);
        limits = new ClientLimits(
                config.rateLimitPerSecond(), config.rateLimitBurst(), config.maxInFlightPerClient(), System::nanoTime);
        Gauge.builder("stargan_gateway_clients_tracked", limits, ClientLimits::tracked)
                .description("clients with a rate-limit or in-flight record")
                .register(metrics);
        vertx.setPeriodic(60_000, t -> limits.forgetIdle());
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
        workers = new WorkerProbe(vertx, config.bootstrapServers(), topics.translateRequests());
        replies = consumer("gateway-" + config.instanceId() + "-" + UUID.randomUUID());
        replies.partitionsAssignedHandler(parts -> repliesAssigned = true);
        replies.handler(rec -> correlator.deliver(rec.key(), rec));
        registry = consumer("gateway-registry-" + UUID.randomUUID());
        registry.handler(rec -> {
            ModelAnnouncement a;
            try {
                a = ModelAnnouncement.fromJson(rec.value().getBytes());
            } catch (RuntimeException ignored) {
                return; // not an announcement: the workers report it; the catalog just skips it
            }
            // The checkpoint's header is read from disk: off the event loop, in announcement order (ordered blocking).
            vertx.executeBlocking(() -> ModelCatalog.describe(a)).onSuccess(catalog::add);
        });
        events = consumer("gateway-events-" + UUID.randomUUID());
        events.handler(rec -> {
            try {
                jobs.apply(new JsonObject(rec.value()));
            } catch (RuntimeException ignored) {
                // not an event
            }
        });
        return Future.all(
                        replies.subscribe(replyTopic),
                        registry.subscribe(topics.models()),
                        events.subscribe(topics.trainEvents()))
                .compose(v -> vertx.createHttpServer(new io.vertx.core.http.HttpServerOptions()
                                .setCompressionSupported(true)
                                // A live-edit image may be as large as an upload, and browsers send a message as one
                                // frame (the
                                // defaults are 64 KiB a frame, 256 KiB a message).
                                .setMaxWebSocketFrameSize(config.maxBodyBytes())
                                .setMaxWebSocketMessageSize(config.maxBodyBytes()))
                        .requestHandler(router())
                        .listen(config.httpPort(), config.host()))
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
        r.post("/v1/translations")
                .handler(
                        BodyHandler.create().setBodyLimit(config.maxBodyBytes()).setDeleteUploadedFilesOnEnd(true))
                .handler(this::translate);
        r.get("/v1/models").handler(this::models);
        r.get("/v1/stream").handler(this::stream);
        new TrainingRoutes(vertx, producer, topics, jobs, artifacts, this::caller, this::error).mount(r);
        r.get("/health/live").handler(ctx -> ctx.json(new JsonObject().put("status", "up")));
        // The web UI: static files from the classpath, no external CDN.
        r.get("/").handler(ctx -> ctx.reroute("/index.html"));
        r.route("/*")
                .handler(
                        io.vertx.ext.web.handler.StaticHandler.create("webroot").setCachingEnabled(false));
        r.get("/health/ready").handler(this::ready);
        r.get("/metrics")
                .handler(ctx -> ctx.response()
                        .putHeader("content-type", "text/plain; version=0.0.4")
                        .end(metrics.scrape()));
        r.get("/openapi.yaml")
                .handler(ctx -> ctx.response()
                        .putHeader("Content-Type", "application/yaml")
                        .end(OPENAPI));
        r.route()
                .last()
                .handler(ctx -> error(
                        ctx,
                        404,
                        "not_found",
                        "no route " + ctx.request().method() + " "
                                + ctx.request().path()));
        // Each body handler has its own limit; the 413 names the one of the route that refused.
        r.errorHandler(
                413,
                ctx -> error(
                        ctx,
                        413,
                        "too_large",
                        "body: larger than "
                                + (ctx.request().path().startsWith("/v1/translations")
                                        ? config.maxBodyBytes()
                                        : TrainingRoutes.MAX_JOB_BYTES)
                                + " bytes"));
        r.errorHandler(500, ctx -> error(ctx, 500, "internal", String.valueOf(ctx.failure())));
        return r;
    }

    private void timed(RoutingContext ctx) {
        long start = System.nanoTime();
        ctx.addBodyEndHandler(v -> Timer.builder("stargan_gateway_http_requests")
                .tag(
                        "route",
                        ctx.currentRoute() == null
                                ? "unknown"
                                : String.valueOf(ctx.currentRoute().getPath()))
                .tag("status", Integer.toString(ctx.response().getStatusCode()))
                .publishPercentileHistogram()
                .register(metrics)
                .record(System.nanoTime() - start, TimeUnit.NANOSECONDS));
        ctx.next();
    }

    /**
     * Who is calling, when they may do what {@code needed} asks; otherwise null, with 401 (no or unknown key) or 403
     * (a key without the scope) sent. Keys come in {@code X-API-Key} or {@code Authorization: Bearer}.
     */
    private ApiKeys.Holder caller(RoutingContext ctx, ApiKeys.Scope needed) {
        return caller(ctx, needed, false);
    }

    /** {@link #caller(RoutingContext, ApiKeys.Scope)}, also taking the key as {@code ?key=} when {@code queryKey}. */
    private ApiKeys.Holder caller(RoutingContext ctx, ApiKeys.Scope needed, boolean queryKey) {
        ApiKeys keys = config.apiKeys();
        if (keys.isEmpty()) {
            if (needed == ApiKeys.Scope.TRANSLATE) {
                return new ApiKeys.Holder(ApiKeys.ANYONE, ApiKeys.Scope.TRANSLATE);
            }
            error(
                    ctx,
                    403,
                    "forbidden",
                    "training is disabled: the gateway has no API key with scope train or admin configured");
            return null;
        }
        String key = ctx.request().getHeader("X-API-Key");
        String auth = ctx.request().getHeader("Authorization");
        if (key == null && auth != null && auth.regionMatches(true, 0, "Bearer ", 0, 7)) {
            key = auth.substring(7).trim();
        }
        if (key == null && queryKey) {
            key = ctx.request().getParam("key");
        }
        ApiKeys.Holder holder = keys.holder(key);
        if (holder == null) {
            ctx.response().putHeader("WWW-Authenticate", "Bearer");
            error(
                    ctx,
                    401,
                    "unauthorized",
                    key == null
                            ? "X-API-Key or Authorization: Bearer: missing, expected an API key"
                            : "X-API-Key or Authorization: Bearer: unknown key");
            return null;
        }
        if (!holder.allows(needed)) {
            error(
                    ctx,
                    403,
                    "forbidden",
                    "key '" + holder.name() + "' has scope " + holder.scope().label() + "; "
                            + ctx.request().method() + " " + ctx.request().path() + " needs " + needed.label());
            return null;
        }
        return holder;
    }

    /** Whose share of the limits a request counts against: its key, or its address when it came without one. */
    private static String client(RoutingContext ctx, ApiKeys.Holder holder) {
        return holder.name().equals(ApiKeys.ANYONE)
                ? "address " + ctx.request().remoteAddress().hostAddress()
                : "key " + holder.name();
    }

    private void translate(RoutingContext ctx) {
        ApiKeys.Holder holder = caller(ctx, ApiKeys.Scope.TRANSLATE);
        if (holder == null) {
            return;
        }
        String type = ctx.request().getHeader("Content-Type");
        String mediaType = type == null ? "" : type.split(";")[0].trim().toLowerCase();
        if (mediaType.equals("multipart/form-data")) {
            // A form upload: the first file is the image (its declared type and name are ignored: the bytes decide);
            // target/labels may come as form fields.
            if (ctx.fileUploads().isEmpty()) {
                error(ctx, 400, "bad_request", "multipart body: no file part, expected the image as a file field");
                return;
            }
            var upload = ctx.fileUploads().get(0);
            // Read without blocking the event loop, then continue as for a raw body.
            vertx.fileSystem()
                    .readFile(upload.uploadedFileName())
                    .onSuccess(bytes -> submit(ctx, holder, bytes, "file part '" + upload.fileName() + "'"))
                    .onFailure(e ->
                            error(ctx, 400, "bad_request", "file part '" + upload.fileName() + "': " + e.getMessage()));
        } else if (UPLOAD_TYPES.contains(mediaType)) {
            submit(ctx, holder, ctx.body().buffer(), "body");
        } else {
            error(
                    ctx,
                    415,
                    "unsupported_media_type",
                    "Content-Type: '" + type
                            + "', expected image/png, image/jpeg, application/x-npy, application/octet-stream or multipart/form-data");
        }
    }

    /** Declared types of a raw upload; the bytes are sniffed whatever it says. */
    private static final java.util.Set<String> UPLOAD_TYPES =
            java.util.Set.of(Protocol.PNG, Protocol.JPEG, Protocol.NPY, "application/octet-stream");

    /**
     * Checks an upload before anything is queued — what it really is, how many pixels it claims, whether the targets
     * fit the model, whether this client and the gateway have room — then sends it to the workers.
     */
    private void submit(RoutingContext ctx, ApiKeys.Holder holder, Buffer body, String field) {
        if (body == null || body.length() == 0) {
            error(ctx, 400, "bad_request", field + ": empty, expected the image bytes");
            return;
        }
        try {
            checkImage(body, field);
        } catch (Rejected r) {
            error(ctx, r.status, r.code, r.getMessage());
            return;
        }
        String target = ctx.request().getParam("target");
        String labels = ctx.request().getParam("labels");
        boolean all = "true".equals(ctx.request().getParam("all"));
        if (target == null && labels == null && !all) {
            error(
                    ctx,
                    400,
                    "bad_request",
                    "target or labels: neither given, expected e.g. target=Blond_Hair=1,Male=0.5 or labels=0,1,0,1,1");
            return;
        }
        String accept = ctx.request().getHeader("Accept");
        boolean json = accept != null && accept.contains("application/json");
        String encoding = accept != null && accept.contains(Protocol.JPEG)
                ? Protocol.JPEG
                : accept != null && accept.contains(Protocol.NPY) ? Protocol.NPY : Protocol.PNG;
        if (catalog.isEmpty()) {
            error(ctx, 503, "unavailable", "no model is served yet (nothing announced on " + topics.models() + ")");
            return;
        }
        String model = model(ctx);
        String version = ctx.request().getParam("version");
        org.stargan.msg.DomainLabels domains;
        try {
            domains = checkedTargets(model, version, all ? null : target, labels);
        } catch (IllegalArgumentException e) {
            error(ctx, 400, "bad_request", e.getMessage());
            return;
        }
        int requests = all ? (domains == null ? 1 : domains.size()) : 1;
        if (!admit(ctx, holder, requests)) {
            return;
        }
        if (all) {
            allDomains(ctx, body, labels, domains, model, version, encoding);
            return;
        }
        String id = config.instanceId() + "-" + counter.incrementAndGet();
        KafkaProducerRecord<String, Buffer> rec = request(id, body, encoding);
        if (target != null) {
            rec.addHeader(Protocol.TARGET, target);
        }
        if (labels != null) {
            rec.addHeader(Protocol.LABELS, labels);
        }
        if (ctx.request().getParam("model") != null) {
            rec.addHeader(Protocol.MODEL, model);
        }
        if (version != null) {
            rec.addHeader(Protocol.MODEL_VERSION, version);
        }
        long timer = vertx.setTimer(config.requestTimeoutMillis(), t -> {
            if (correlator.forget(id)) {
                error(ctx, 504, "timeout", "no result within " + config.requestTimeoutMillis() + " ms");
            }
        });
        // Through the routing context rather than response().closeHandler, which Vert.x Web itself uses to run end
        // handlers (the one in admit releases this client's slots).
        ctx.addEndHandler(v -> correlator.forget(id));
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
     * Takes {@code n} slots for this request — of the gateway's and of its client's — until its response ends, or
     * answers 429 with Retry-After: when the gateway is full, when this client already has its share waiting, or when
     * it asks faster than its rate.
     */
    private boolean admit(RoutingContext ctx, ApiKeys.Holder holder, int n) {
        String client = client(ctx, holder);
        ClientLimits.Decision d = take(client, n);
        if (!d.admitted()) {
            ctx.response().putHeader("Retry-After", Long.toString(d.retryAfterSeconds()));
            reject(ctx, 429, "too_many_requests", d.reason(), refusal(client, d));
            return false;
        }
        ctx.addEndHandler(v -> limits.release(client, n));
        return true;
    }

    /** {@code n} slots of the gateway's and of {@code client}'s, or why not; taken slots are freed with {@code limits.release}. */
    private ClientLimits.Decision take(String client, int n) {
        return correlator.inFlight() + n > config.maxInFlight()
                ? new ClientLimits.Decision(false, "in_flight", 1)
                : limits.admit(client, n);
    }

    /** What a refused admission tells the client. */
    private String refusal(String client, ClientLimits.Decision d) {
        return switch (d.reason()) {
            case "in_flight" ->
                "this gateway already waits for " + correlator.inFlight() + " translations (limit "
                        + config.maxInFlight() + "); retry shortly";
            case "rate_limited" ->
                client + ": more than " + config.rateLimitPerSecond() + " requests per second (bursts of "
                        + config.rateLimitBurst() + ")";
            default ->
                client + ": already " + config.maxInFlightPerClient()
                        + " translations waiting, this client's share; retry when one is back";
        };
    }

    /** Why an upload is refused before anything is queued: the HTTP status and error code to answer with. */
    private static final class Rejected extends Exception {
        final int status;
        final String code;

        Rejected(int status, String code, String message) {
            super(message);
            this.status = status;
            this.code = code;
        }
    }

    /**
     * Refuses an image that is not PNG, JPEG or NPY by its bytes (415), whose header is damaged or claims no pixels
     * (400), or that claims more pixels than allowed (413) — a decompression bomb, or just a huge photo, refused from
     * its header before anyone decodes it.
     */
    private void checkImage(Buffer image, String field) throws Rejected {
        ImageSniffer.Sniffed sniffed;
        try {
            sniffed = ImageSniffer.sniff(image, field);
        } catch (IllegalArgumentException e) {
            throw new Rejected(400, "bad_request", e.getMessage());
        }
        if (sniffed == null) {
            throw new Rejected(
                    415,
                    "unsupported_media_type",
                    field + ": not a PNG, JPEG or NPY file (first bytes " + ImageSniffer.firstBytes(image) + ")");
        }
        if (!sniffed.mediaType().equals(Protocol.NPY) && (sniffed.width() < 1 || sniffed.height() < 1)) {
            throw new Rejected(
                    400,
                    "bad_request",
                    field + ": the header claims " + sniffed.width() + "×" + sniffed.height()
                            + " pixels, expected a real size");
        }
        if (sniffed.pixels() > config.maxPixels()) {
            throw new Rejected(
                    413,
                    "too_large",
                    field + ": " + sniffed.width() + "×" + sniffed.height()
                            + " pixels, more than this gateway's limit of " + config.maxPixels());
        }
    }

    /**
     * The domains of the served model version, with {@code target} and {@code labels} (either may be null) checked
     * against them; null when the checkpoint names none (the worker checks then). Throws an
     * {@link IllegalArgumentException} naming the field otherwise.
     */
    private org.stargan.msg.DomainLabels checkedTargets(String model, String version, String target, String labels) {
        org.stargan.msg.DomainLabels domains = catalog.domains(model, version);
        if (domains != null) {
            TargetCheck.check(domains, target, labels);
        }
        return domains;
    }

    /** A translate request for the workers, answered on this instance's reply topic in {@code accept}. */
    private KafkaProducerRecord<String, Buffer> request(String id, Buffer image, String accept) {
        KafkaProducerRecord<String, Buffer> rec = KafkaProducerRecord.create(topics.translateRequests(), id, image);
        rec.addHeader(Protocol.SCHEMA, Protocol.REQUEST_V1)
                .addHeader(Protocol.REPLY_TO, replyTopic)
                .addHeader(Protocol.ACCEPT, accept);
        return rec;
    }

    /** A result's headers as text. */
    private static Map<String, String> headers(KafkaConsumerRecord<String, Buffer> result) {
        Map<String, String> h = new HashMap<>();
        for (KafkaHeader k : result.headers()) {
            h.put(k.key(), k.value().toString(StandardCharsets.UTF_8));
        }
        return h;
    }

    /**
     * {@code /v1/stream}: live edits over a WebSocket (format in docs/stream.md). A binary frame sets the image; a
     * text frame {@code {"seq", "target"|"labels", "model"?, "version"?}} asks for a translation of it. While one edit
     * is being translated only the newest waiting edit is kept (latest wins); each answer is a text frame
     * {@code {"seq", "model_version", "compute_ms", ...}} followed by a binary frame with the PNG, or a text frame
     * {@code {"seq", "error", "message"}}. Closing the socket drops the pending edit and any result still on its way.
     */
    private void stream(RoutingContext ctx) {
        // Browsers cannot set headers on a WebSocket handshake, so the stream alone also takes ?key=.
        ApiKeys.Holder holder = caller(ctx, ApiKeys.Scope.TRANSLATE, true);
        if (holder == null) {
            return;
        }
        String client = client(ctx, holder);
        ctx.request()
                .toWebSocket()
                .onSuccess(ws -> {
                    webSockets.incrementAndGet();
                    LiveEdits session = new LiveEdits(ws, client);
                    ws.binaryMessageHandler(session::image);
                    ws.textMessageHandler(session::edit);
                    ws.closeHandler(v -> {
                        webSockets.decrementAndGet();
                        session.close();
                    });
                })
                .onFailure(e -> error(ctx, 400, "bad_request", "expected a WebSocket upgrade: " + e.getMessage()));
    }

    /** One /v1/stream socket: its image, the newest edit waiting and the one being translated. Event loop only. */
    private final class LiveEdits {
        private final io.vertx.core.http.ServerWebSocket ws;
        private final String client;
        private Buffer image;
        private JsonObject pending;
        private String inFlight;

        LiveEdits(io.vertx.core.http.ServerWebSocket ws, String client) {
            this.ws = ws;
            this.client = client;
        }

        void image(Buffer b) {
            try {
                checkImage(b, "image");
                image = b;
            } catch (Rejected r) {
                fail(-1, r.code, r.getMessage());
            }
        }

        void edit(String text) {
            try {
                pending = new JsonObject(text);
            } catch (RuntimeException e) {
                fail(-1, "bad_request", "edit: not JSON (" + e.getMessage() + ")");
                return;
            }
            dispatch();
        }

        void close() {
            pending = null;
            if (inFlight != null && correlator.forget(inFlight)) {
                limits.release(client, 1);
            }
        }

        private void fail(long seq, String code, String message) {
            if (!ws.isClosed()) {
                JsonObject j = new JsonObject();
                if (seq >= 0) {
                    j.put("seq", seq);
                }
                ws.writeTextMessage(j.put("error", code).put("message", message).encode());
            }
            metrics.counter("stargan_gateway_rejected_requests", "reason", code).increment();
        }

        /** Sends the newest waiting edit unless one is already being translated (latest wins). */
        private void dispatch() {
            if (inFlight != null || pending == null || ws.isClosed()) {
                return;
            }
            JsonObject edit = pending;
            pending = null;
            long seq = edit.getLong("seq", 0L);
            String target = edit.getString("target");
            String labels = edit.getString("labels");
            if (image == null) {
                fail(seq, "bad_request", "send the image (a binary frame) first");
                return;
            }
            if (target == null && labels == null) {
                fail(seq, "bad_request", "target or labels: neither given in edit " + seq);
                return;
            }
            try {
                checkedTargets(edit.getString("model", "default"), edit.getString("version"), target, labels);
            } catch (IllegalArgumentException e) {
                fail(seq, "bad_request", e.getMessage());
                return;
            }
            ClientLimits.Decision d = take(client, 1);
            if (!d.admitted()) {
                fail(seq, "too_many_requests", refusal(client, d) + " (retry in " + d.retryAfterSeconds() + " s)");
                return;
            }
            String id = config.instanceId() + "-ws-" + counter.incrementAndGet();
            inFlight = id;
            KafkaProducerRecord<String, Buffer> rec = request(id, image, Protocol.PNG);
            for (String[] h : new String[][] {
                {"target", Protocol.TARGET},
                {"labels", Protocol.LABELS},
                {"model", Protocol.MODEL},
                {"version", Protocol.MODEL_VERSION}
            }) {
                if (edit.getString(h[0]) != null) {
                    rec.addHeader(h[1], edit.getString(h[0]));
                }
            }
            long timer = vertx.setTimer(config.requestTimeoutMillis(), t -> {
                if (correlator.forget(id)) {
                    done();
                    fail(seq, "timeout", "no result within " + config.requestTimeoutMillis() + " ms");
                    dispatch();
                }
            });
            correlator.expect(id, result -> {
                vertx.cancelTimer(timer);
                done();
                Map<String, String> h = headers(result);
                if (!"ok".equals(h.get(Protocol.STATUS))) {
                    fail(seq, "bad_request", h.getOrDefault(Protocol.ERROR, "translation failed"));
                } else if (!ws.isClosed()) {
                    ws.writeTextMessage(new JsonObject()
                            .put("seq", seq)
                            .put("model_version", h.get(Protocol.MODEL_VERSION))
                            .put("queue_ms", Double.parseDouble(h.getOrDefault(Protocol.QUEUE_MS, "0")))
                            .put("compute_ms", Double.parseDouble(h.getOrDefault(Protocol.COMPUTE_MS, "0")))
                            .encode());
                    ws.writeBinaryMessage(result.value());
                }
                dispatch();
            });
            producer.send(rec).onFailure(e -> {
                if (correlator.forget(id)) {
                    vertx.cancelTimer(timer);
                    done();
                    fail(seq, "unavailable", "the edit could not be queued: " + e.getMessage());
                }
            });
        }

        private void done() {
            inFlight = null;
            limits.release(client, 1);
        }
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
    private void allDomains(
            RoutingContext ctx,
            Buffer body,
            String labels,
            org.stargan.msg.DomainLabels domains,
            String model,
            String version,
            String encoding) {
        if (domains == null) {
            error(
                    ctx,
                    400,
                    "bad_request",
                    "all=true: the domains of model '" + model + "' are unknown (its checkpoint carries no names)");
            return;
        }
        java.util.List<float[]> targets = domains.allDomainTargets(
                labels == null ? new float[domains.size()] : domains.parseVector(labels, "labels"));
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
            KafkaProducerRecord<String, Buffer> rec = request(ids[k], body, Protocol.PNG)
                    .addHeader(Protocol.LABELS, csv.toString())
                    .addHeader(Protocol.MODEL, model);
            if (version != null) {
                rec.addHeader(Protocol.MODEL_VERSION, version);
            }
            correlator.expect(ids[k], result -> {
                Map<String, String> h = headers(result);
                if (!"ok".equals(h.get(Protocol.STATUS))) {
                    if (!failed[0]) {
                        failed[0] = true;
                        vertx.cancelTimer(timer);
                        for (String other : ids) {
                            correlator.forget(other);
                        }
                        error(ctx, 400, "bad_request", h.getOrDefault(Protocol.ERROR, "translation failed"));
                    }
                    return;
                }
                columns[col] = result.value();
                if (--remaining[0] == 0 && !failed[0]) {
                    vertx.cancelTimer(timer);
                    // Drawing a grid of a few small images: cheap, but keep image work off the event loop anyway.
                    vertx.executeBlocking(() -> grid(body, columns, encoding))
                            .onSuccess(png -> ctx.response()
                                    .putHeader("Content-Type", encoding)
                                    .end(png))
                            .onFailure(e -> error(ctx, 400, "bad_request", "input image: " + e.getMessage()));
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
        java.awt.image.BufferedImage[] results = new java.awt.image.BufferedImage[columns.length];
        for (int k = 0; k < columns.length; k++) {
            results[k] = javax.imageio.ImageIO.read(new java.io.ByteArrayInputStream(columns[k].getBytes()));
        }
        int s = results[0].getHeight();
        var in = org.stargan.data.ImageCodec.decode(input.getBytes(), "input");
        var inputTensor = org.stargan.data.ImageCodec.toTensor(in, 0, s);
        java.awt.image.BufferedImage grid = new java.awt.image.BufferedImage(
                s * (columns.length + 1), s, java.awt.image.BufferedImage.TYPE_INT_RGB);
        var g = grid.createGraphics();
        g.drawImage(org.stargan.data.ImageCodec.toImage(inputTensor.chw(), 0, s, s), 0, 0, null);
        for (int k = 0; k < columns.length; k++) {
            g.drawImage(results[k], (k + 1) * s, 0, null);
        }
        g.dispose();
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        org.stargan.data.ImageCodec.write(grid, encoding.equals(Protocol.JPEG) ? "grid.jpg" : "grid.png", out);
        return Buffer.buffer(out.toByteArray());
    }

    private void respond(
            RoutingContext ctx, KafkaConsumerRecord<String, Buffer> result, boolean json, String encoding) {
        Map<String, String> h = headers(result);
        if (!"ok".equals(h.get(Protocol.STATUS))) {
            String message = h.getOrDefault(Protocol.ERROR, "translation failed");
            boolean internal = message.startsWith("translation failed");
            error(ctx, internal ? 500 : 400, internal ? "internal" : "bad_request", message);
            return;
        }
        ctx.response()
                .putHeader("X-Model-Version", h.getOrDefault(Protocol.MODEL_VERSION, ""))
                .putHeader("X-Queue-Ms", h.getOrDefault(Protocol.QUEUE_MS, ""))
                .putHeader("X-Compute-Ms", h.getOrDefault(Protocol.COMPUTE_MS, ""));
        if (json) {
            ctx.json(new JsonObject()
                    .put("request_id", result.key())
                    .put("model", h.get(Protocol.MODEL))
                    .put("model_version", h.get(Protocol.MODEL_VERSION))
                    .put("queue_ms", Double.parseDouble(h.getOrDefault(Protocol.QUEUE_MS, "0")))
                    .put("compute_ms", Double.parseDouble(h.getOrDefault(Protocol.COMPUTE_MS, "0")))
                    .put("batch_size", Integer.parseInt(h.getOrDefault(Protocol.BATCH_SIZE, "0")))
                    .put("worker", h.get(Protocol.WORKER))
                    .put("content_type", encoding)
                    .put(
                            "image_base64",
                            Base64.getEncoder().encodeToString(result.value().getBytes())));
        } else {
            ctx.response().putHeader("Content-Type", encoding).end(result.value());
        }
    }

    private void models(RoutingContext ctx) {
        if (caller(ctx, ApiKeys.Scope.TRANSLATE) != null) {
            ctx.json(catalog.toJson());
        }
    }

    /** Ready when connected, a model is announced, and some inference worker holds a request partition. */
    private void ready(RoutingContext ctx) {
        if (!repliesAssigned) {
            error(
                    ctx,
                    503,
                    "unavailable",
                    "not yet connected to the broker (reply topic " + replyTopic + " unassigned)");
        } else if (catalog.isEmpty()) {
            error(ctx, 503, "unavailable", "no model is served yet");
        } else {
            workers.workers()
                    .onSuccess(n -> {
                        if (n == 0) {
                            error(
                                    ctx,
                                    503,
                                    "unavailable",
                                    "no inference worker is consuming " + topics.translateRequests());
                        } else {
                            ctx.json(new JsonObject().put("status", "ready").put("workers", n));
                        }
                    })
                    .onFailure(e -> error(ctx, 503, "unavailable", "the broker did not answer: " + e.getMessage()));
        }
    }

    static Buffer load(String resource) {
        try (var in = GatewayVerticle.class.getResourceAsStream(resource)) {
            return Buffer.buffer(in.readAllBytes());
        } catch (java.io.IOException | NullPointerException e) {
            throw new IllegalStateException("missing resource " + resource, e);
        }
    }

    private void error(RoutingContext ctx, int status, String code, String message) {
        reject(ctx, status, code, code, message);
    }

    /** Answers with a JSON error and counts it by {@code reason} (finer than the code, e.g. why a 429). */
    private void reject(RoutingContext ctx, int status, String code, String reason, String message) {
        if (ctx.response().ended() || ctx.response().closed()) {
            return;
        }
        metrics.counter("stargan_gateway_rejected_requests", "reason", reason).increment();
        ctx.response()
                .setStatusCode(status)
                .putHeader("Content-Type", "application/json")
                .end(new JsonObject().put("error", code).put("message", message).encode());
    }

    @Override
    public Future<?> stop() {
        return Future.join(
                        replies.close(),
                        registry.close(),
                        events.close(),
                        workers.close(),
                        server == null ? Future.succeededFuture() : server.close())
                .compose(v -> producer.close());
    }
}
