package org.stargan.inference;

import ai.djl.Device;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.kafka.client.common.TopicPartition;
import io.vertx.kafka.client.consumer.KafkaConsumer;
import io.vertx.kafka.client.consumer.KafkaConsumerRecord;
import io.vertx.kafka.client.consumer.OffsetAndMetadata;
import io.vertx.kafka.client.producer.KafkaProducer;
import io.vertx.kafka.client.producer.KafkaProducerRecord;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.stargan.kafka.KafkaSettings;
import org.stargan.kafka.Topics;
import org.stargan.msg.ModelAnnouncement;
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

    private InferenceConfig config;
    private Topics topics;
    private ExecutorService compute;
    private ExecutorService prepare;
    private ScheduledExecutorService timer;
    private ModelRegistry registry;
    private DynamicBatcher batcher;
    private InferenceMetrics metrics;
    private final OffsetTracker offsets = new OffsetTracker();
    private KafkaConsumer<String, Buffer> consumer;
    private KafkaConsumer<String, Buffer> registryConsumer;
    private KafkaProducer<String, Buffer> producer;
    private ReplyTargets replyTargets;
    private DeadLetters deadLetters;
    private HttpServer http;
    private boolean paused;

    @Override
    public Future<?> start() {
        config = InferenceConfig.fromJson(config());
        topics = new Topics(config.topicPrefix());
        Device device = org.stargan.cli.Devices.parse(config.device());
        compute = Executors.newSingleThreadExecutor(r -> daemon(r, "compute-" + config.device()));
        prepare = Executors.newFixedThreadPool(2, r -> daemon(r, "prepare"));
        timer = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "batch-timer"));
        metrics = new InferenceMetrics(
                config.workerId(),
                offsets::pending,
                () -> registry.versions().values().stream().mapToInt(Map::size).sum());
        registry = new ModelRegistry(compute, device, config.maxBatch(), (version, reason) -> {
            LOG.warn("model {} failed to load, previous versions keep serving: {}", version, reason);
            metrics.failure("model_load");
        });
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
        replyTargets = ReplyTargets.connect(vertx, config.bootstrapServers(), config.workerId());
        deadLetters = new DeadLetters(vertx, producer, topics.deadLetters(), replyTargets, config.workerId(), offsets);

        Future<?> model = config.defaultModelPath() == null
                ? Future.succeededFuture()
                : Future.fromCompletionStage(
                        registry.load("default", "initial", Path.of(config.defaultModelPath())), context);
        return model.compose(m -> announceDefault())
                .compose(v -> startMetrics())
                .compose(v -> startRegistryConsumer())
                .compose(v -> startRequestConsumer());
    }

    /**
     * With {@code "announceDefault": true} (one designated worker, e.g. in compose), publishes the default model on the
     * registry so gateways and other workers know it; otherwise an operator or a trainer announces models.
     */
    private Future<?> announceDefault() {
        if (!config().getBoolean("announceDefault", false) || config.defaultModelPath() == null) {
            return Future.succeededFuture();
        }
        ModelAnnouncement a = new ModelAnnouncement(
                "default",
                "initial",
                Path.of(config.defaultModelPath()).toAbsolutePath().toUri().toString(),
                System.currentTimeMillis());
        return producer.send(KafkaProducerRecord.create(topics.models(), a.name(), Buffer.buffer(a.toJson())));
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
        consumer.partitionsRevokedHandler(
                parts -> parts.forEach(tp -> offsets.forget(tp.getTopic(), tp.getPartition())));
        consumer.exceptionHandler(e -> LOG.warn("request consumer: {}", e.toString()));
        consumer.handler(this::onRequest);
        // Kafka's own client metrics, consumer lag (records-lag-max) among them, under kafka_consumer_*.
        new io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics(consumer.unwrap()).bindTo(metrics.registry);
        return consumer.subscribe(topics.translateRequests());
    }

    private Future<Void> startRegistryConsumer() {
        // Every worker reads the whole registry: its own group, from the beginning, nothing committed that matters.
        Map<String, String> c = KafkaSettings.named(
                KafkaSettings.readerOfAll(
                        config.bootstrapServers(), config.workerId() + "-registry-" + deploymentID(), 1 << 20),
                config.workerId() + "-registry");
        registryConsumer = KafkaConsumer.create(vertx, c, String.class, Buffer.class);
        registryConsumer.pollTimeout(Duration.ofMillis(200));
        registryConsumer.handler(rec -> {
            try {
                ModelAnnouncement a = ModelAnnouncement.fromJson(rec.value().getBytes());
                String uri = a.uri().startsWith("file:")
                        ? Path.of(java.net.URI.create(a.uri())).toString()
                        : a.uri();
                if (registry.resolve(a.name(), a.version()) != null) {
                    return; // already serving it (the registry is re-read after a rebalance)
                }
                registry.load(a.name(), a.version(), Path.of(uri))
                        .thenAccept(m -> LOG.info(
                                "serving model {} version {} (image {} px, {} domains)",
                                m.name(),
                                m.version(),
                                m.imageSize(),
                                m.domains().size()));
            } catch (RuntimeException e) {
                LOG.warn("ignoring registry record {}@{}: {}", rec.partition(), rec.offset(), e.getMessage());
                metrics.failure("bad_announcement");
            }
        });
        return registryConsumer.subscribe(topics.models());
    }

    private Future<Void> startMetrics() {
        if (config.metricsPort() < 0) {
            return Future.succeededFuture();
        }
        http = vertx.createHttpServer().requestHandler(req -> {
            switch (req.path()) {
                case "/metrics" ->
                    req.response()
                            .putHeader("content-type", "text/plain; version=0.0.4")
                            .end(metrics.registry.scrape());
                case "/health/live" -> req.response().end("{\"status\":\"up\"}");
                case "/health/ready" -> {
                    boolean ready = !registry.versions().isEmpty();
                    req.response()
                            .setStatusCode(ready ? 200 : 503)
                            .end(ready ? "{\"status\":\"ready\"}" : "{\"status\":\"no model loaded\"}");
                }
                default -> req.response().setStatusCode(404).end();
            }
        });
        return http.listen(config.metricsPort(), "0.0.0.0").mapEmpty();
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
        LoadedModel model = registry.resolve(request.model(), request.modelVersion());
        CompletableFuture<LoadedModel> pending =
                model == null && request.modelVersion() == null ? registry.pendingLoad(request.model()) : null;
        if (pending != null) {
            // Start-up: the model is still loading; answer once it is there (or reject if it fails).
            pending.whenComplete(
                    (m, e) -> context.runOnContext(v -> accept(rec, headers, request, e == null ? m : null)));
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
        CompletableFuture.supplyAsync(() -> job(request, model, received), prepare)
                .whenComplete((job, err) -> {
                    if (err != null) {
                        Throwable cause =
                                err instanceof java.util.concurrent.CompletionException && err.getCause() != null
                                        ? err.getCause()
                                        : err;
                        context.runOnContext(
                                v -> reject(rec, headers, TranslateResult.ErrorKind.BAD_REQUEST, cause.getMessage()));
                        return;
                    }
                    batcher.add(job);
                    job.output()
                            .thenApplyAsync(
                                    out -> {
                                        try {
                                            return Map.entry(
                                                    out,
                                                    ResultEncoding.encode(
                                                            out.image(), model.imageSize(), request.accept()));
                                        } catch (java.io.IOException e) {
                                            throw new java.io.UncheckedIOException(e);
                                        }
                                    },
                                    prepare)
                            .whenComplete((encoded, failure) -> context.runOnContext(v -> {
                                if (failure != null) {
                                    metrics.failure("compute");
                                    sendResult(
                                            rec,
                                            request,
                                            TranslateResult.error(
                                                    request.id(),
                                                    TranslateResult.ErrorKind.INTERNAL,
                                                    "translation failed: " + failure.getMessage(),
                                                    config.workerId()));
                                } else {
                                    metrics.done(encoded.getKey());
                                    metrics.compute(encoded.getKey().computeMs());
                                    TranslateJob.Output out = encoded.getKey();
                                    sendResult(
                                            rec,
                                            request,
                                            TranslateResult.ok(
                                                    request.id(),
                                                    encoded.getValue(),
                                                    request.accept(),
                                                    model.name(),
                                                    model.version(),
                                                    out.queueMs(),
                                                    out.computeMs(),
                                                    out.batchSize(),
                                                    config.workerId()));
                                }
                            }));
                });
    }

    private TranslateJob job(TranslateRequest r, LoadedModel model, long received) {
        float[] image;
        try {
            image = ResultEncoding.decode(r.image(), model.imageSize(), r.id());
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException("value: " + e.getMessage());
        }
        float[] base = r.labels() == null
                ? new float[model.domains().size()]
                : model.domains().parseVector(r.labels(), Protocol.LABELS);
        float[] labels = r.target() == null ? base : model.domains().applyTargets(r.target(), base, Protocol.TARGET);
        return new TranslateJob(r, model, image, labels, received, new CompletableFuture<>());
    }

    private void sendResult(KafkaConsumerRecord<String, Buffer> source, TranslateRequest r, TranslateResult result) {
        producer.send(reply(r.replyTo(), r.replyPartition(), result))
                .onSuccess(md -> finished(source))
                .onFailure(e -> {
                    // Dead-lettered and committed, so the partition's later records can commit: a result that could
                    // not be delivered within the bounded delivery time will not be by trying the same send again.
                    metrics.failure("publish");
                    deadLetters.undeliverable(source, r, e).onSuccess(v -> finished(source));
                });
    }

    private static KafkaProducerRecord<String, Buffer> reply(String topic, int partition, TranslateResult result) {
        return KafkaRecords.create(topic, result.id(), result.image(), result.headers(), partition);
    }

    /** Sends a record that cannot be processed to dead letters (and an error result to its asker, when usable). */
    private void reject(
            KafkaConsumerRecord<String, Buffer> rec,
            Map<String, String> headers,
            TranslateResult.ErrorKind kind,
            String reason) {
        metrics.failure("rejected");
        // Fails only once the partition was revoked: the new owner then handles the record again.
        deadLetters.reject(rec, headers, kind, reason).onSuccess(v -> finished(rec));
    }

    private void finished(KafkaConsumerRecord<String, Buffer> rec) {
        offsets.done(rec.topic(), rec.partition(), rec.offset());
        long commit = offsets.takeCommittable(rec.topic(), rec.partition());
        if (commit >= 0) {
            consumer.commit(Map.of(new TopicPartition(rec.topic(), rec.partition()), new OffsetAndMetadata(commit, "")))
                    .onFailure(e -> LOG.warn(
                            "commit of {}-{}@{} failed: {}", rec.topic(), rec.partition(), commit, e.toString()));
        }
        if (paused && offsets.pending() < config.queueLimit() / 2) {
            paused = false;
            consumer.resume();
        }
    }

    @Override
    public Future<?> stop() {
        Promise<Void> done = Promise.promise();
        Future<Void> c = consumer == null ? Future.succeededFuture() : consumer.close();
        Future<Void> rc = registryConsumer == null ? Future.succeededFuture() : registryConsumer.close();
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
            prepare.shutdownNow();
            timer.shutdownNow();
            registry.close();
            done.complete();
        });
        return done.future();
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }
}
