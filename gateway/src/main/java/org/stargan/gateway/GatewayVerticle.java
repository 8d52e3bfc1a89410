package org.stargan.gateway;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.kafka.client.consumer.KafkaConsumer;
import io.vertx.kafka.client.consumer.KafkaConsumerRecord;
import io.vertx.kafka.client.producer.KafkaProducer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.stargan.kafka.KafkaSettings;
import org.stargan.kafka.Topics;
import org.stargan.msg.ModelAnnouncement;
import org.stargan.msg.Protocol;
import org.stargan.msg.TrainEvent;
import org.stargan.msg.TranslateRequest;
import org.stargan.msg.TranslateResult;

/**
 * The HTTP front of the platform, as wiring: Kafka clients, the {@link ReplyClient} that owns every translation's
 * deadline and correlation, the model catalog and job board fed from their topics, and the routes —
 * {@link TranslationRoutes}, {@link LiveEditSocket}, {@link TrainingRoutes}, {@link HealthRoutes} — behind
 * {@link AuthHandler} and {@link Admission}. Nothing here blocks or touches DJL. Errors are JSON
 * {@code {"error", "message"}} with the field at fault named.
 */
public final class GatewayVerticle extends VerticleBase {
    private static final Logger LOG = LoggerFactory.getLogger(GatewayVerticle.class);
    /** Registry announcements and job events are small JSON values. */
    private static final int MAX_EVENT_BYTES = 1 << 20;
    /**
     * How often the broker's reachability is probed: with two failures to go down, an outage is known within ~0.5 s
     * (0.75 s after a send's acknowledgement, which stands for a probe).
     */
    private static final long BROKER_PROBE_MILLIS = 250;

    private final GatewayMetrics metrics = new GatewayMetrics();
    private final ModelCatalog catalog = new ModelCatalog();
    private final JobBoard jobs = new JobBoard();
    private GatewayConfig config;
    private KafkaProducer<String, Buffer> producer;
    private KafkaConsumer<String, Buffer> replies;
    private KafkaConsumer<String, Buffer> registry;
    private KafkaConsumer<String, Buffer> events;
    private WorkerProbe workers;
    /** The cluster's reachability; a request's acknowledged send counts as a probe (set before any request). */
    private BrokerHealth broker;

    private HttpServer server;
    private volatile boolean repliesAssigned;
    private volatile List<String> advertisedBrokers = List.of();

    @Override
    public Future<?> start() {
        config = GatewayConfig.fromJson(config());
        Topics topics = new Topics(config.topicPrefix());
        String replyTopic = topics.replyTopic(config.instanceId());
        producer = KafkaProducer.create(
                vertx,
                KafkaSettings.named(
                        KafkaSettings.requestProducer(
                                config.bootstrapServers(), Protocol.MAX_VALUE_BYTES, config.requestTimeoutMillis()),
                        config.instanceId() + "-requests"),
                String.class,
                Buffer.class);
        producer.exceptionHandler(e -> {}); // each send's own future handles its failure
        RequestPartitions partitions = new RequestPartitions();
        ReplyClient replyClient = new ReplyClient(
                new ReplyClient.Transport() {
                    @Override
                    public Future<Void> send(TranslateRequest request) {
                        return producer.send(KafkaRecords.create(
                                        topics.translateRequests(),
                                        request.id(),
                                        request.image(),
                                        request.headers(),
                                        -1))
                                .map(acked -> {
                                    broker.heard();
                                    return null;
                                });
                    }

                    @Override
                    public Future<Void> resend(TranslateRequest request) {
                        int p = partitions.alternative(request.id());
                        return p < 0
                                ? null
                                : producer.send(KafkaRecords.create(
                                                topics.translateRequests(),
                                                request.id(),
                                                request.image(),
                                                request.headers(),
                                                p))
                                        .mapEmpty();
                    }
                },
                ReplyClient.Timers.of(vertx),
                config.instanceId(),
                config.hedgeAfterMillis());
        ApiErrors errors = new ApiErrors(metrics);
        AuthHandler auth = new AuthHandler(config.apiKeys(), errors);
        workers = new WorkerProbe(
                vertx, config.bootstrapServers(), topics.translateRequests(), config.instanceId() + "-probe");
        // While the broker is away nothing can be queued or answered: callers are told at once, not at their deadline.
        broker = new BrokerHealth(
                BrokerHealth.tcp(vertx, config.bootstrapServers(), () -> advertisedBrokers),
                // Monotonic: a wall clock set back would otherwise hold off the probes after the last acknowledgement.
                () -> System.nanoTime() / 1_000_000,
                BROKER_PROBE_MILLIS,
                why -> LOG.warn("{}; {} waiting translations answered 503", why, replyClient.failAll(why)));
        vertx.setPeriodic(BROKER_PROBE_MILLIS, t -> broker.check());
        // Which worker holds which request partition (for hedges), and where the brokers are (for the probe).
        vertx.setPeriodic(2_000, t -> workers.view().onSuccess(partitions::update));
        vertx.setPeriodic(30_000, t -> workers.brokers().onSuccess(b -> advertisedBrokers = b));
        Admission admission = new Admission(config, replyClient::inFlight, broker::problem);
        vertx.setPeriodic(60_000, t -> admission.forgetIdle());

        replies =
                consumer("gateway-" + config.instanceId() + "-" + UUID.randomUUID(), config.maxBodyBytes(), "replies");
        replies.partitionsAssignedHandler(parts -> repliesAssigned = true);
        replies.handler(rec -> result(rec).ifPresent(replyClient::deliver));
        registry = consumer("gateway-registry-" + UUID.randomUUID(), MAX_EVENT_BYTES, "registry");
        registry.handler(this::announced);
        events = consumer("gateway-events-" + UUID.randomUUID(), MAX_EVENT_BYTES, "events");
        events.handler(this::jobEvent);

        LiveEditSocket liveEdits =
                new LiveEditSocket(config, catalog, replyClient, replyTopic, auth, admission, errors);
        metrics.gauge("stargan_gateway_in_flight", "translations waiting for a result", replyClient::inFlight);
        metrics.gauge(
                "stargan_gateway_dropped_results",
                "results nobody waited for (duplicates, late)",
                replyClient::dropped);
        metrics.gauge("stargan_gateway_websocket_sessions", "open /v1/stream sessions", liveEdits::sessions);
        metrics.gauge(
                "stargan_gateway_clients_tracked", "clients with a rate-limit or in-flight record", admission::tracked);
        metrics.gauge(
                "stargan_gateway_hedged_requests",
                "translations sent a second time, to another worker, after the hedge delay",
                replyClient::hedged);
        metrics.gauge(
                "stargan_gateway_broker_reachable",
                "1 while the Kafka broker answers the probe",
                () -> broker.reachable() ? 1 : 0);
        metrics.gauge(
                "stargan_gateway_websocket_image_bytes",
                "bytes of images live-edit sessions hold",
                liveEdits::heldBytes);
        SlowClientGuard slowClients = new SlowClientGuard(vertx, config.limits(), errors);

        Router router = Router.router(vertx);
        router.route().handler(slowClients::requestArrived);
        router.route().handler(AnswerCompression::route);
        router.route().handler(metrics::timeRequests);
        new TranslationRoutes(vertx, config, catalog, replyClient, replyTopic, topics.models(), auth, admission, errors)
                .mount(router);
        liveEdits.mount(router);
        JobArtifacts artifacts =
                new JobArtifacts(config.artifactRoot().isEmpty() ? null : Path.of(config.artifactRoot()));
        // Event streams write a comment now and then so that the idle timeout leaves them open.
        long keepAlive = Math.min(30_000, config.limits().idleTimeoutSeconds() * 500L);
        new TrainingRoutes(vertx, producer, topics, jobs, artifacts, auth, errors, keepAlive).mount(router);
        new HealthRoutes(
                        catalog,
                        workers,
                        broker::problem,
                        () -> repliesAssigned,
                        replyTopic,
                        topics.translateRequests(),
                        metrics,
                        errors)
                .mount(router);
        router.route()
                .last()
                .handler(ctx -> errors.send(
                        ctx,
                        404,
                        "not_found",
                        "no route " + ctx.request().method() + " "
                                + ctx.request().path()));
        // Each body handler has its own limit; the 413 names the one of the route that refused.
        router.errorHandler(
                413,
                ctx -> errors.send(
                        ctx,
                        413,
                        "too_large",
                        ctx.request().path().startsWith("/v1/translations")
                                ? "body: larger than " + config.maxBodyBytes()
                                        + " bytes, this gateway's limit (--max-body-bytes; the protocol allows at most "
                                        + Protocol.MAX_VALUE_BYTES + ")"
                                : "body: larger than " + TrainingRoutes.MAX_JOB_BYTES + " bytes, the limit of a job"));
        // A path the router cannot decode (a malformed %-escape) is the client's fault: JSON like every other answer.
        router.errorHandler(
                400,
                ctx -> errors.send(
                        ctx,
                        400,
                        "bad_request",
                        "path: '" + ctx.request().uri() + "' cannot be decoded"
                                + (ctx.failure() == null
                                        ? ""
                                        : " (" + ctx.failure().getMessage() + ")")));
        router.errorHandler(500, ctx -> errors.send(ctx, 500, "internal", String.valueOf(ctx.failure())));

        return Future.all(
                        replies.subscribe(replyTopic),
                        registry.subscribe(topics.models()),
                        events.subscribe(topics.trainEvents()))
                .compose(v -> configureServer(
                                vertx.createHttpServer(serverOptions(config.maxBodyBytes(), config.limits())),
                                slowClients)
                        .requestHandler(router)
                        .listen(config.httpPort(), config.host()))
                .onSuccess(s -> server = s);
    }

    /**
     * The HTTP server's options: gzip for clients that ask (text only, see {@link AnswerCompression}), WebSocket
     * limits and no WebSocket compression, the idle timeout.
     */
    static HttpServerOptions serverOptions(int maxBodyBytes, ConnectionLimits limits) {
        return new HttpServerOptions()
                .setCompressionSupported(true)
                // A live-edit image may be as large as an upload, and browsers send a message as one frame (the
                // defaults are 64 KiB a frame, 256 KiB a message).
                .setMaxWebSocketFrameSize(maxBodyBytes)
                .setMaxWebSocketMessageSize(maxBodyBytes)
                // No WebSocket compression: images are compressed already, and Vert.x's size limits count a message's
                // compressed bytes, so a deflated message of a few hundred kB could inflate to gigabytes.
                .setPerMessageWebSocketCompressionSupported(false)
                .setPerFrameWebSocketCompressionSupported(false)
                // Backstop for connections the header and body timeouts do not cover (WebSockets, event streams).
                .setIdleTimeout(limits.idleTimeoutSeconds())
                // HTTP/1.1 only (browsers speak HTTP/2 over TLS only). With cleartext HTTP/2 detection on, Vert.x
                // sets a connection up only once its first bytes arrive, so a silent connection would escape the
                // header timeout.
                .setHttp2ClearTextEnabled(false);
    }

    /** How long an idle consumer's poll waits before the next (see {@link #consumer}). */
    static final long POLL_MILLIS = 500;

    /** Puts {@code guard} on every connection of {@code server} from its first moment. */
    static HttpServer configureServer(HttpServer server, SlowClientGuard guard) {
        return server.connectionHandler(guard::connected);
    }

    /** Replies, the registry and job events are read in full: this instance's own groups, nothing shared. */
    private KafkaConsumer<String, Buffer> consumer(String group, int maxValueBytes, String role) {
        KafkaConsumer<String, Buffer> k = KafkaConsumer.create(
                vertx,
                KafkaSettings.named(
                        KafkaSettings.readerOfAll(config.bootstrapServers(), group, maxValueBytes),
                        config.instanceId() + "-" + role),
                String.class,
                Buffer.class);
        // A poll returns as soon as records arrive, so its timeout only sets how often an idle consumer wakes: these
        // consumers never commit, pause or seek (work that would queue behind a poll). At 50 ms the three of them
        // were most of an idle gateway's CPU besides the JIT compiler.
        k.pollTimeout(Duration.ofMillis(POLL_MILLIS));
        return k;
    }

    /** A result off the reply topic; a record that is not one is logged and skipped (nobody can be answered). */
    private Optional<TranslateResult> result(KafkaConsumerRecord<String, Buffer> rec) {
        try {
            return Optional.of(TranslateResult.fromRecord(
                    rec.key(), rec.value() == null ? new byte[0] : rec.value().getBytes(), KafkaRecords.headers(rec)));
        } catch (IllegalArgumentException e) {
            LOG.warn("skipping reply record {}@{}: {}", rec.partition(), rec.offset(), e.getMessage());
            return Optional.empty();
        }
    }

    private void announced(KafkaConsumerRecord<String, Buffer> rec) {
        ModelAnnouncement a;
        try {
            a = ModelAnnouncement.fromJson(rec.value().getBytes());
        } catch (RuntimeException ignored) {
            return; // not an announcement: the workers report it; the catalog just skips it
        }
        // The checkpoint's header is read from disk: off the event loop, in announcement order (ordered blocking).
        vertx.executeBlocking(() -> ModelCatalog.describe(a)).onSuccess(catalog::add);
    }

    private void jobEvent(KafkaConsumerRecord<String, Buffer> rec) {
        try {
            TrainEvent.fromJson(rec.value().getBytes());
            jobs.apply(new JsonObject(rec.value()));
        } catch (RuntimeException ignored) {
            // not an event
        }
    }

    /** The port the server listens on. */
    public int port() {
        return server.actualPort();
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
