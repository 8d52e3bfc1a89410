package org.stargan.inference;

import static org.stargan.msg.TranslateResult.ErrorKind.BAD_REQUEST;
import static org.stargan.msg.TranslateResult.ErrorKind.INTERNAL;
import static org.stargan.msg.TranslateResult.ErrorKind.NO_FACE;

import ai.djl.Device;
import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.kafka.client.consumer.KafkaConsumer;
import io.vertx.kafka.client.consumer.KafkaConsumerRecord;
import io.vertx.kafka.client.producer.KafkaProducer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.stargan.device.DeviceCheck;
import org.stargan.device.DeviceHealth;
import org.stargan.device.DeviceReport;
import org.stargan.face.FaceDetector;
import org.stargan.face.NoFaceFoundException;
import org.stargan.infer.Precision;
import org.stargan.kafka.KafkaSettings;
import org.stargan.kafka.Topics;
import org.stargan.msg.Protocol;
import org.stargan.msg.TranslateRequest;
import org.stargan.msg.TranslateResult;

/**
 * The inference worker: consumes translate requests, runs them in dynamic batches on one compute thread (one worker
 * per device; DJL never runs on the event loop), publishes each result to the request's reply topic, and commits an
 * offset only once every record up to it has its result (or dead letter) acknowledged by the broker, so a worker
 * that dies loses nothing: its uncommitted requests are redelivered and answered again. Malformed requests, and
 * requests whose reply topic or partition does not exist (checked before computing, see {@link ReplyTargets}), go to
 * dead letters with the reason (and an error result to the asker when its reply target is usable) and are committed,
 * so they never block the partition; so does a request whose result could not be delivered within the producer's
 * bounded delivery time. The consumer pauses while too many requests are in flight.
 */
public final class InferenceVerticle extends VerticleBase {
    private static final Logger LOG = LoggerFactory.getLogger(InferenceVerticle.class);
    /** How often the group's committed lag is measured: a few times per default Prometheus scrape (15 s). */
    private static final long LAG_PERIOD_MILLIS = 5_000;

    private static final long LAG_TIMEOUT_MILLIS = 5_000;

    private InferenceConfig config;
    private Topics topics;
    private ExecutorService compute;
    private ExecutorService prepare;
    private ScheduledExecutorService timer;
    private ModelRegistry registry;
    private DynamicBatcher batcher;
    private InferenceMetrics metrics;
    private final OffsetTracker offsets = new OffsetTracker();
    /** One face detector per preparing thread (OpenCV's classifiers are not thread-safe); made on first use. */
    private final ThreadLocal<FaceDetector> detectors = ThreadLocal.withInitial(FaceDetector::new);

    private KafkaConsumer<String, Buffer> consumer;
    private RegistryFollower registryFollower;
    private KafkaProducer<String, Buffer> producer;
    private CommittedLag lag;
    /** Kafka's client metrics bound to the registry: each refreshes them on a thread of its own until closed. */
    private final List<KafkaClientMetrics> kafkaMetrics = new ArrayList<>();

    private ReplyTargets replyTargets;
    private HttpServer http;
    private DeviceHealth health;
    private ResultPublisher publisher;
    private boolean paused;
    private OffsetCommitter committer;

    @Override
    public Future<?> start() {
        config = InferenceConfig.fromJson(config());
        topics = new Topics(config.topicPrefix());
        compute = Executors.newSingleThreadExecutor(r -> daemon(r, "compute-" + config.device()));
        prepare = Executors.newFixedThreadPool(2, r -> daemon(r, "prepare"));
        timer = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "batch-timer"));
        // First of all: a device that cannot compute fails the start (naming what to set) before any work is taken.
        return Future.fromCompletionStage(
                        CompletableFuture.supplyAsync(() -> DeviceCheck.require(config.device()), compute), context)
                .recover(e -> Future.failedFuture(
                        e instanceof java.util.concurrent.CompletionException && e.getCause() != null
                                ? e.getCause()
                                : e))
                .compose(this::startWithDevice)
                .onFailure(e -> stop());
    }

    private Future<?> startWithDevice(DeviceReport report) {
        LOG.info(report.logLine());
        if (report.idleGpuWarning() != null) {
            LOG.warn(report.idleGpuWarning());
        }
        Device device = DeviceCheck.parse(config.device());
        health = new DeviceHealth(device);
        metrics = new InferenceMetrics(
                config.workerId(),
                offsets::pending,
                () -> registry.versions().values().stream().mapToInt(Map::size).sum());
        metrics.device(config.workerId(), report, health);
        registry = new ModelRegistry(
                compute,
                new ModelRegistry.Settings(
                        device,
                        config.maxBatch(),
                        Precision.parse(config.precision()),
                        config.keepVersions(),
                        java.util.Set.copyOf(config.pinned())),
                (version, reason) -> {
                    LOG.warn("model {} failed to load, previous versions keep serving: {}", version, reason);
                    metrics.failure("model_load");
                },
                metrics::evicted);
        batcher = new DynamicBatcher(config.maxBatch(), config.maxDelayMillis(), compute, timer, metrics::batch);
        // A result counts as published only once the broker has it durably; that is when the request's offset commits.
        producer = KafkaProducer.create(
                vertx,
                KafkaSettings.named(
                        KafkaSettings.resultProducer(config.bootstrapServers(), Protocol.MAX_VALUE_BYTES),
                        config.workerId() + "-results"),
                String.class,
                Buffer.class);
        producer.exceptionHandler(e -> {}); // each send's own future handles its failure
        // Kafka's own producer metrics (send rate, records per request, queue time) under kafka_producer_*.
        bindKafkaMetrics(new KafkaClientMetrics(producer.unwrap()));
        replyTargets = ReplyTargets.connect(vertx, config.bootstrapServers(), config.workerId());
        publisher = new ResultPublisher(
                context,
                producer,
                new DeadLetters(vertx, producer, topics.deadLetters(), replyTargets, config.workerId(), offsets),
                metrics);

        Future<?> model = config.defaultModelPath() == null
                ? Future.succeededFuture()
                : Future.fromCompletionStage(
                        registry.load("default", "initial", Path.of(config.defaultModelPath())), context);
        registryFollower = new RegistryFollower(vertx, config, topics, registry, metrics);
        return model.compose(
                        m -> registryFollower.announceDefault(producer, config().getBoolean("announceDefault", false)))
                .compose(v -> startMetrics())
                .compose(v -> registryFollower.start(deploymentID()))
                .compose(v -> startRequestConsumer());
    }

    private Future<Void> startRequestConsumer() {
        // Offsets are committed by hand, only after the results are published (at-least-once).
        // Each worker under its own client id; static membership only under a name the operator keeps stable.
        Map<String, String> c = KafkaSettings.workConsumer(
                config.bootstrapServers(),
                config.groupId(),
                Protocol.MAX_VALUE_BYTES,
                config.workerId(),
                config().getString("groupInstanceId"));
        consumer = KafkaConsumer.create(vertx, c, String.class, Buffer.class);
        // Commits queue behind poll: a short poll keeps commit latency low.
        consumer.pollTimeout(Duration.ofMillis(100));
        committer = new OffsetCommitter(
                batch -> consumer.commit(batch).mapEmpty(),
                () -> System.nanoTime() / 1_000_000,
                new OffsetCommitter.Timers() {
                    @Override
                    public long set(long delayMillis, Runnable task) {
                        return vertx.setTimer(delayMillis, id -> task.run());
                    }

                    @Override
                    public void cancel(long id) {
                        vertx.cancelTimer(id);
                    }
                });
        consumer.partitionsRevokedHandler(parts -> parts.forEach(tp -> {
            offsets.forget(tp.getTopic(), tp.getPartition());
            committer.forget(tp.getTopic(), tp.getPartition());
        }));
        consumer.exceptionHandler(e -> LOG.warn("request consumer: {}", e.toString()));
        consumer.handler(this::onRequest);
        // Kafka's own client metrics, consumer lag (records-lag-max) among them, under kafka_consumer_*.
        bindKafkaMetrics(new KafkaClientMetrics(consumer.unwrap()));
        // The group's lag behind its commits (the fetch lag above reads 0 while fetched requests wait).
        lag = new CommittedLag(
                        KafkaSettings.admin(config.bootstrapServers(), LAG_TIMEOUT_MILLIS),
                        config.groupId(),
                        java.util.List.of(topics.translateRequests()),
                        LAG_TIMEOUT_MILLIS)
                .start(LAG_PERIOD_MILLIS);
        metrics.watch(lag);
        return consumer.subscribe(topics.translateRequests());
    }

    private Future<Void> startMetrics() {
        if (config.metricsPort() < 0) {
            return Future.succeededFuture();
        }
        // HTTP/1.1 only, as the gateway: scrapers and probes speak it, and an h2c upgrade from a client that offers one
        // (Java's HttpClient does by default) once left a scrape unanswered.
        http = vertx.createHttpServer(new HttpServerOptions().setHttp2ClearTextEnabled(false))
                .requestHandler(new WorkerHealthRoutes(metrics.registry, health, () -> {
                    if (registry.versions().values().stream().allMatch(Map::isEmpty)) {
                        return "no model loaded";
                    }
                    return null;
                }));
        return http.listen(config.metricsPort(), "0.0.0.0")
                .recover(e -> Future.failedFuture(new IllegalStateException("--metrics-port " + config.metricsPort()
                        + ": " + e.getMessage() + " (another worker on this host? give each its own port)")))
                .mapEmpty();
    }

    /** The port of /metrics (after start). */
    public int metricsPort() {
        return http == null ? -1 : http.actualPort();
    }

    private void onRequest(KafkaConsumerRecord<String, Buffer> rec) {
        offsets.received(rec.topic(), rec.partition(), rec.offset());
        metrics.request();
        if (!paused && offsets.pending() >= config.queueLimit()) {
            paused = true;
            consumer.pause();
        }
        Map<String, String> headers = KafkaRecords.headers(rec);
        byte[] value = rec.value() == null ? new byte[0] : rec.value().getBytes();
        TranslateRequest request;
        try {
            request = TranslateRequest.fromRecord(rec.key(), value, headers);
        } catch (IllegalArgumentException e) {
            reject(rec, headers, TranslateResult.ErrorKind.BAD_REQUEST, e.getMessage());
            return;
        }
        // Before any work: an answer that cannot be delivered would also block the results behind it.
        final TranslateRequest checked = request;
        replyTargets.problem(request.replyTo(), request.replyPartition()).onSuccess(problem -> {
            if (problem != null) {
                reject(rec, headers, TranslateResult.ErrorKind.BAD_REQUEST, problem);
            } else {
                route(rec, headers, checked);
            }
        });
    }

    /** Runs {@code request} on the model it names, waiting for it when it is still loading. */
    private void route(KafkaConsumerRecord<String, Buffer> rec, Map<String, String> headers, TranslateRequest request) {
        LoadedModel model = registry.acquire(request.model(), request.modelVersion());
        CompletableFuture<LoadedModel> pending =
                model == null && request.modelVersion() == null ? registry.pendingLoad(request.model()) : null;
        if (pending != null) {
            // Start-up: the model is still loading; answer once it is there (or reject if it fails).
            final TranslateRequest r = request;
            pending.whenComplete((m, e) -> context.runOnContext(
                    v -> accept(rec, headers, r, e == null ? registry.acquire(r.model(), null) : null)));
            return;
        }
        accept(rec, headers, request, model);
    }

    private void accept(
            KafkaConsumerRecord<String, Buffer> rec,
            Map<String, String> headers,
            TranslateRequest request,
            LoadedModel model) {
        if (model == null) {
            reject(
                    rec,
                    headers,
                    TranslateResult.ErrorKind.MODEL_UNAVAILABLE,
                    request.modelVersion() == null
                            ? "model '" + request.model() + "' has no version loaded on this worker"
                            : "model '" + request.model() + "' version '" + request.modelVersion()
                                    + "' is not loaded; loaded: "
                                    + registry.versions()
                                            .getOrDefault(request.model(), Map.of())
                                            .keySet());
            return;
        }
        long received = System.nanoTime();
        CompletableFuture.supplyAsync(() -> PreparedRequest.prepare(request, model, received, detectors::get), prepare)
                .whenComplete((prepared, err) -> {
                    Throwable cause =
                            err instanceof CompletionException && err.getCause() != null ? err.getCause() : err;
                    if (cause != null) {
                        model.release();
                    }
                    if (cause instanceof NoFaceFoundException) {
                        // A valid request whose photo has no face: the asker is told why; no dead letter.
                        metrics.failure("no_face");
                        context.runOnContext(v -> sendResult(rec, request, error(request, NO_FACE, cause)));
                    } else if (cause instanceof IllegalStateException) {
                        // The worker cannot do face work (e.g. OpenCV's data missing): not the request's fault.
                        metrics.failure("photo");
                        context.runOnContext(v -> sendResult(rec, request, error(request, INTERNAL, cause)));
                    } else if (cause != null) {
                        context.runOnContext(v -> reject(rec, headers, BAD_REQUEST, cause.getMessage()));
                    } else {
                        run(rec, request, model, prepared);
                    }
                });
    }

    /** Queues a prepared request's crops, then publishes the answer made from their outputs. */
    private void run(
            KafkaConsumerRecord<String, Buffer> rec,
            TranslateRequest request,
            LoadedModel model,
            PreparedRequest prepared) {
        prepared.jobs().forEach(batcher::add);
        prepared.result(model, config.workerId(), prepare).whenComplete((result, failure) -> {
            if (failure != null) {
                context.runOnContext(v -> {
                    model.release();
                    metrics.failure("compute");
                    recheckDevice();
                    sendResult(rec, request, error(request, INTERNAL, failure));
                });
                return;
            }
            model.release();
            prepared.jobs().forEach(j -> metrics.done(j.output().join()));
            metrics.compute(result.computeMillis());
            // Sent from the thread that made the answer, not handed to the event loop and from there to the producer's
            // sending thread: two thread hand-offs fewer per answer. The event loop takes over at the broker's ack.
            publisher.resultFromThisThread(rec, request, result, () -> finished(rec));
        });
    }

    private TranslateResult error(TranslateRequest r, TranslateResult.ErrorKind kind, Throwable cause) {
        Throwable c = cause instanceof CompletionException && cause.getCause() != null ? cause.getCause() : cause;
        String reason = c.getMessage() == null ? c.toString() : c.getMessage();
        return TranslateResult.error(
                r.id(), kind, kind == INTERNAL ? "translation failed: " + reason : reason, config.workerId());
    }

    /** After a failed batch: is it the device? If it no longer computes, the health routes say so from now on. */
    private void recheckDevice() {
        if (health.requestRecheck()) {
            compute.execute(() -> {
                if (!health.recheck()) {
                    LOG.error("{}; this worker reports itself dead (/health/live 503)", health.problem());
                }
            });
        }
    }

    private void sendResult(KafkaConsumerRecord<String, Buffer> source, TranslateRequest r, TranslateResult result) {
        publisher.result(source, r, result).onSuccess(v -> finished(source));
    }

    /** Sends a record that cannot be processed to dead letters (and an error result to its asker, when usable). */
    private void reject(
            KafkaConsumerRecord<String, Buffer> rec,
            Map<String, String> headers,
            TranslateResult.ErrorKind kind,
            String reason) {
        publisher.reject(rec, headers, kind, reason).onSuccess(v -> finished(rec));
    }

    private void finished(KafkaConsumerRecord<String, Buffer> rec) {
        offsets.done(rec.topic(), rec.partition(), rec.offset());
        long commit = offsets.takeCommittable(rec.topic(), rec.partition());
        if (commit >= 0) {
            committer.commit(rec.topic(), rec.partition(), commit);
        }
        if (paused && offsets.pending() < config.queueLimit() / 2) {
            paused = false;
            consumer.resume();
        }
    }

    @Override
    public Future<?> stop() {
        Promise<Void> done = Promise.promise();
        // What finished is committed before the consumer closes (a restart would otherwise redo it).
        Future<Void> c =
                consumer == null ? Future.succeededFuture() : committer.flush().transform(ar -> consumer.close());
        Future<Void> rc = registryFollower == null ? Future.succeededFuture() : registryFollower.close();
        Future<Void> p = producer == null ? Future.succeededFuture() : producer.close();
        Future<Void> a = replyTargets == null ? Future.succeededFuture() : replyTargets.close();
        Future<Void> h = http == null ? Future.succeededFuture() : http.close();
        // Queued batches are dropped (their requests are not committed and will be redelivered); the running one must
        // finish before the models' native memory is freed, or it would compute on freed tensors.
        Future<Void> computeStopped = vertx.executeBlocking(() -> {
            compute.shutdownNow();
            compute.awaitTermination(2, java.util.concurrent.TimeUnit.MINUTES);
            return null;
        });
        Future.join(c, rc, p, a, h, computeStopped).onComplete(ar -> {
            if (lag != null) {
                lag.close();
            }
            kafkaMetrics.forEach(KafkaClientMetrics::close);
            if (metrics != null) {
                metrics.close();
            }
            prepare.shutdownNow();
            timer.shutdownNow();
            if (registry != null) {
                registry.close();
            }
            done.complete();
        });
        return done.future();
    }

    private void bindKafkaMetrics(KafkaClientMetrics m) {
        m.bindTo(metrics.registry);
        kafkaMetrics.add(m);
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }
}
